// Command godask-worker is a stock cluster worker: a process that runs the
// library's own ops (arrays, dataframes, delayed calls and bags of
// registered functions) for a scheduler started with cluster.Connect. A
// program with ops of its own is its own worker instead (cluster.Main at the
// top of its main): a worker must have exactly its scheduler's ops and
// codecs, or the handshake refuses it, naming the ops that differ.
//
//	godask-worker --scheduler HOST:PORT --token-file F [--nthreads N] [--memory-limit 4GiB]
//	              [--listen 127.0.0.1:0] [--advertise HOST:PORT] [--tls-ca ca.pem --tls-cert cert.pem --tls-key key.pem]
//	              [--spill-dir DIR] [--death-timeout 60s]
//
// The same flags follow "worker" in any program that calls cluster.Main.
package main

import (
	"fmt"
	"os"

	_ "github.com/godask/godask/array"
	_ "github.com/godask/godask/delayed"
	_ "github.com/godask/godask/delayed/bag"
	_ "github.com/godask/godask/frame"
	"github.com/godask/godask/sched/cluster"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "worker" {
		os.Args = append([]string{os.Args[0], "worker"}, os.Args[1:]...)
	}
	for _, a := range os.Args[2:] {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprintln(os.Stderr, "usage: godask-worker --scheduler HOST:PORT --token-file F [--nthreads N] [--memory-limit BYTES] [--listen ADDR] [--advertise ADDR] [--tls-ca F --tls-cert F --tls-key F] [--spill-dir DIR] [--death-timeout D]")
			os.Exit(2)
		}
	}
	cluster.Main()
}
