package cluster

import "syscall"

// procAttr makes Local's workers die with the client process (they would
// exit after their death timeout anyway).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
