package cluster

import (
	"encoding/binary"
	"math/rand"
	"sync"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// bareWorker is a worker with a store and no scheduler, peers, runners or
// server: messages are handed to its handle directly.
func bareWorker(t *testing.T) *worker {
	w := &worker{cfg: &WorkerConfig{}, addr: "bare", store: sched.NewStore[vkey](1<<30, t.TempDir()),
		peers: map[uint64]string{}, runs: map[uint64]*wrun{}, tasks: map[tkey]*wtask{},
		flight: map[vkey]*pendingFetch{}, fetchrs: map[string]*fetcher{}, blobs: map[uint64][]byte{},
		outSig: make(chan struct{}, 1), id: 1}
	w.cond = sync.NewCond(&w.mu)
	t.Cleanup(func() {
		for _, r := range w.runs {
			r.cancel()
		}
		w.store.Close()
	})
	return w
}

// queueCompute queues task tid (attempt 1) of run reading deps, each held
// by holders, as the scheduler's assign does.
func queueCompute(t *testing.T, o *outbox, run, tid uint64, task *graph.Task, holders []uint64) {
	enc, err := graph.EncodeTask(task)
	if err != nil {
		t.Fatal(err)
	}
	o.entry(eCompute, run, func(b []byte) []byte {
		b = binary.AppendUvarint(b, tid)
		b = binary.AppendUvarint(b, 1)
		b = binary.AppendUvarint(b, 0)
		b = binary.AppendVarint(b, 0)
		b = appendTaskRef(b, o, enc)
		b = binary.AppendUvarint(b, uint64(len(task.Deps)))
		for range task.Deps {
			b = binary.AppendUvarint(b, 0)
			b = binary.AppendUvarint(b, uint64(len(holders)))
			for _, h := range holders {
				b = binary.AppendUvarint(b, h)
			}
		}
		return b
	})
}

// TestOutboxKeepsOrder replays the crossing CI once hit
// (TestIncrementalAndPredictProbaOnCluster: "value ... is not in the
// store"): worker 1 holds a stale copy of x (the result of an attempt whose
// task had moved to worker 2, which now holds x); the scheduler queues the
// free of that copy, then places a task reading x on worker 1, with worker
// 2 as x's holder. Batches of one kind each, computes sent first, made the
// worker resolve the task's input against its stale copy and then drop the
// copy under it. In queue order, the copy is gone before the task arrives,
// and the task fetches x from its holders.
func TestOutboxKeepsOrder(t *testing.T) {
	w := bareWorker(t)
	const run = 7
	x := graph.Key("x")
	w.store.Put(vkey{run: run, key: x, part: -1}, int64(41), 0) // the stale copy
	o := newOutbox()
	// Earlier work for worker 1 in the same window: a task without inputs.
	queueCompute(t, o, run, 0, &graph.Task{Key: "a", Op: graph.Const{V: int64(1)}}, nil)
	o.entry(eFree, run, func(b []byte) []byte { return graph.AppendBytes(b, []byte(x)) })
	queueCompute(t, o, run, 1, &graph.Task{Key: "y", Op: graph.Const{V: int64(2)}, Deps: []graph.Key{x}}, []uint64{2})
	for _, m := range o.take() {
		w.handle(m)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.store.Has(vkey{run: run, key: x, part: -1}) {
		t.Fatal("the free of the stale copy was not applied")
	}
	for k, tk := range w.tasks {
		for i, ok := range tk.resolved {
			if ok && !w.store.Has(tk.in[i]) {
				t.Fatalf("task %d resolved input %s against a copy freed after it: the free crossed the compute", k.tid, tk.in[i].key)
			}
		}
	}
	if _, ok := w.tasks[tkey{run, 0}]; !ok {
		t.Fatal("task 0 was not taken")
	}
	// Worker 2 is not a known peer here, so the fetch of x fails at once:
	// task 1 is reported with x missing (the scheduler places it again).
	w.outMu.Lock()
	defer w.outMu.Unlock()
	if len(w.out) == 0 {
		t.Fatal("task 1 neither resolved nor reported missing")
	}
}

// TestOutboxOrderRandom queues random entries of every kind over a few
// runs, with large tasks as blobs, and checks the worker-side reading of
// what take returns: every entry once, in the order queued, under its run,
// each batch within batchBytes plus one entry, every blob ahead of the
// entry that names it.
func TestOutboxOrderRandom(t *testing.T) {
	type ent struct {
		kind byte
		run  uint64
		id   uint64
		size int
	}
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 30; trial++ {
		o := newOutbox()
		var want, got []ent
		blobSeen := map[uint64]bool{}
		n := rng.Intn(300)
		check := func() {
			for _, m := range o.take() {
				r := graph.NewReader(m[1:])
				switch m[0] {
				case mBlob:
					blobSeen[r.Uvarint()] = true
				case mRelease:
					got = append(got, ent{kind: 9, run: r.Uvarint()})
				case mBatch:
					if len(m) > batchBytes+inlineTask+64 {
						t.Fatalf("batch of %d bytes", len(m))
					}
					run := r.Uvarint()
					for len(r.Rest()) > 0 && r.Err() == nil {
						e := ent{kind: r.Byte(), run: run, id: r.Uvarint()}
						if e.kind == eCompute {
							if blob := r.Uvarint(); blob != 0 {
								if !blobSeen[blob] {
									t.Fatalf("entry %d: blob %d after its batch", e.id, blob)
								}
							} else {
								e.size = len(r.Bytes())
							}
						}
						if r.Err() != nil {
							t.Fatal(r.Err())
						}
						got = append(got, e)
					}
				default:
					t.Fatalf("message type %d", m[0])
				}
			}
		}
		for i := 0; i < n; i++ {
			e := ent{kind: byte(rng.Intn(3)), run: uint64(1 + rng.Intn(3)), id: uint64(i)}
			if rng.Intn(20) == 0 {
				e = ent{kind: 9, run: uint64(1 + rng.Intn(3))} // a release: any other message
				o.send(binary.AppendUvarint([]byte{mRelease}, e.run))
				want = append(want, e)
				continue
			}
			var body []byte
			if e.kind == eCompute {
				body = make([]byte, []int{0, 10, 0, 10, 100 << 10, inlineTask + 1}[rng.Intn(6)])
			}
			o.entry(e.kind, e.run, func(b []byte) []byte {
				b = binary.AppendUvarint(b, e.id)
				if e.kind == eCompute {
					b = appendTaskRef(b, o, body)
				}
				return b
			})
			if e.kind == eCompute && len(body) <= inlineTask {
				e.size = len(body)
			}
			want = append(want, e)
			if rng.Intn(30) == 0 {
				check() // the sender takes what is there mid-way
			}
		}
		check()
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d entries read, %d queued", trial, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("trial %d: entry %d is %+v, queued %+v", trial, i, got[i], want[i])
			}
		}
	}
}
