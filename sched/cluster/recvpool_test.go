package cluster

import (
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// TestRecvPoolReusesOnlyGarbage: a received buffer comes back for the next
// value of its size once nothing refers to it, and not while a view of any
// part of it is alive; the pool gives idle buffers back.
func TestRecvPoolReusesOnlyGarbage(t *testing.T) {
	setRecvPoolMax(1 << 30)
	defer setRecvPoolMax(-1)
	const n = 8 << 20
	base := func(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

	a := recvBuffer(n)
	for i := range a {
		a[i] = byte(i)
	}
	view := a[n/2 : n/2+16] // a value decoded as a view keeps all of a
	pa := base(a)
	a = nil
	recvMayFree.Store(true)
	b := recvBuffer(n)
	if base(b) == pa {
		t.Fatal("a buffer still viewed was handed out again")
	}
	for i, c := range view {
		if c != byte(n/2+i) {
			t.Fatalf("view[%d] = %d: the viewed buffer was overwritten", i, c)
		}
	}
	// That collection brought nothing back: the next receive within
	// recvGCGap does not collect again.
	_, _, gcs0, _ := recvPoolStats()
	recvMayFree.Store(true)
	d := recvBuffer(n)
	if _, _, gcs, _ := recvPoolStats(); gcs != gcs0 {
		t.Fatalf("collected again %v after a fruitless collection", recvGCGap)
	}
	runtime.KeepAlive(view)
	view = nil
	_ = view
	pb, pd := base(b), base(d)
	b, d = nil, nil
	time.Sleep(recvGCGap)
	recvMayFree.Store(true)
	// Any of the three buffers may come back first; all are garbage now.
	c := recvBuffer(n)
	if pc := base(c); pc != pa && pc != pb && pc != pd {
		t.Fatalf("a fresh buffer, with three garbage ones of the size out: %#x not %#x, %#x or %#x", pc, pa, pb, pd)
	}
	if _, _, gcs, reused := recvPoolStats(); gcs == 0 || reused == 0 {
		t.Fatalf("collections %d, reused %d", gcs, reused)
	}
	// A much smaller value does not take a large buffer.
	if s := recvBuffer(n / 2); cap(s) != n/2 {
		t.Fatalf("a %d-byte value got a buffer of %d", n/2, cap(s))
	}
	runtime.KeepAlive(c)
}

// TestRecvPoolOffForClients: outside a worker a large receive is a plain
// buffer: not counted as out, never collected for, never kept.
func TestRecvPoolOffForClients(t *testing.T) {
	setRecvPoolMax(-1)
	runtime.GC() // buffers of earlier tests come back (and are dropped)
	time.Sleep(20 * time.Millisecond)
	_, out0, gcs0, _ := recvPoolStats()
	a := recvBuffer(8 << 20)
	recvMayFree.Store(true)
	b := recvBuffer(8 << 20)
	if _, out, gcs, _ := recvPoolStats(); out != out0 || gcs != gcs0 {
		t.Fatalf("a client's receives: %d bytes out (was %d), %d collections (was %d)", out, out0, gcs, gcs0)
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if held, _, _, _ := recvPoolStats(); held != 0 {
		t.Fatalf("a client's pool holds %d bytes", held)
	}
}

// TestRecvPoolGivesIdleBack: a buffer comes back into the pool, and the
// janitor drops it once unused for recvPoolIdle.
func TestRecvPoolGivesIdleBack(t *testing.T) {
	setIdle := func(d time.Duration) { recvPool.Lock(); recvPoolIdle = d; recvPool.Unlock() }
	setIdle(300 * time.Millisecond)
	defer setIdle(30 * time.Second)
	setRecvPoolMax(1 << 30)
	defer setRecvPoolMax(-1)
	recvBuffer(8 << 20)
	wait := func(what string, ok func(held int64) bool) {
		for deadline := time.Now().Add(10 * time.Second); ; {
			runtime.GC()
			held, _, _, _ := recvPoolStats()
			if ok(held) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the pool holds %d bytes after 10s", what, held)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	wait("the garbage buffer never came back", func(h int64) bool { return h >= 8<<20 })
	wait("the idle buffer was kept", func(h int64) bool { return h == 0 })
}
