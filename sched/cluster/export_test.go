package cluster

// DropSSHConnections cuts the SSH connections of a cluster that SSH
// started without stopping anything, as the death of the client would.
func DropSSHConnections(e *Executor) {
	if e.ssh != nil {
		e.ssh.closeClients()
	}
}
