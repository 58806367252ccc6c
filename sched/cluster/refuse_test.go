package cluster_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// callDoGet calls a worker's DoGet with the given token ("" for none) over
// plain TCP and returns the first error.
func callDoGet(t *testing.T, addr, token string) error {
	t.Helper()
	cc, err := grpc.Dial(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "godask-cluster-token", token)
	}
	s, err := flight.NewFlightServiceClient(cc).DoGet(ctx, &flight.Ticket{Ticket: []byte{}})
	if err != nil {
		return err
	}
	_, err = s.Recv()
	return err
}

func TestRefusals(t *testing.T) {
	c := shared(t)
	w := c.Workers()[0]
	if !strings.HasPrefix(w.Addr, "127.0.0.1:") {
		t.Errorf("worker listens on %s, want loopback", w.Addr)
	}
	if err := callDoGet(t, w.Addr, ""); err == nil || !strings.Contains(err.Error(), "refused: no cluster token") {
		t.Errorf("no token: %v", err)
	}
	if err := callDoGet(t, w.Addr, "not-the-token"); err == nil || !strings.Contains(err.Error(), "refused: wrong cluster token") {
		t.Errorf("wrong token: %v", err)
	}
	if err := callDoGet(t, c.Addr(), ""); err == nil || !strings.Contains(err.Error(), "refused: no cluster token") {
		t.Errorf("no token at the scheduler: %v", err)
	}
}

func TestFingerprintMismatchRefused(t *testing.T) {
	_, err := cluster.Local(1, cluster.WithWorkerEnv("CLUSTER_TEST_EXTRA_OP=1"), cluster.WithRestarts(0), cluster.WithJoinTimeout(20*time.Second))
	if err == nil || !strings.Contains(err.Error(), "ops only on the worker: clustertest.only_on_worker") {
		t.Fatalf("error %v: want a refusal naming the op only the worker has", err)
	}
}

func TestTLSCluster(t *testing.T) {
	ca, err := cluster.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	c, err := cluster.Local(2, cluster.WithTLS(ca))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Values move worker to worker and to the client over mutual TLS.
	a := task(t, floatsOp{n: 1 << 19, scale: 1})
	b := task(t, floatsOp{n: 1 << 19, scale: 2})
	s := task(t, fsumOp{}, a.Key, b.Key)
	got, err := sched.Run(context.Background(), graph.New(a, b, s), []graph.Key{s.Key, b.Key}, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	n := float64(1 << 19)
	if got[0] != 3*n*(n-1)/2 || len(got[1].([]float64)) != 1<<19 {
		t.Fatalf("sum %v", got[0])
	}
	// Plain TCP to a TLS port fails at once, with or without the token.
	start := time.Now()
	if err := callDoGet(t, c.Workers()[0].Addr, "x"); err == nil {
		t.Fatal("plain TCP to a TLS worker: no error")
	}
	if err := callDoGet(t, c.Addr(), ""); err == nil {
		t.Fatal("plain TCP to the TLS scheduler: no error")
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("refusals took %v", d)
	}
	// A certificate of another CA is refused.
	other, _ := cluster.NewCA()
	dir := t.TempDir()
	files, err := other.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cluster.Connect(freeAddr(t), cluster.WithToken("t"), cluster.WithTLSFiles(files), cluster.WithJoinTimeout(100*time.Millisecond))
	if err == nil {
		t.Fatal("Connect with no worker: no error")
	}
}

func TestBadAddresses(t *testing.T) {
	l, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = cluster.Connect(l.Addr().String(), cluster.WithToken("t"))
	if err == nil || !strings.Contains(err.Error(), l.Addr().String()) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("port in use: %v", err)
	}
	_, err = cluster.Connect(freeAddr(t))
	if err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("no token: %v", err)
	}
	_, err = cluster.Connect(freeAddr(t), cluster.WithToken("t"), cluster.WithJoinTimeout(200*time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "waiting for 1 workers") {
		t.Fatalf("no worker: %v", err)
	}
}
