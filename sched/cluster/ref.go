package cluster

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow/go/v15/arrow/flight"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Ref is a value kept on the workers of a cluster: what a collection
// persisted with Executor.Persist holds instead of the value. A graph
// holding a Ref (in a graph.Const) runs on its Executor without moving the
// value through the client; Release frees it on the workers. A Ref has no
// codec: it means something only to its Executor.
//
// A Ref made by a run under KeepOutputs (a future's result) keeps the graph
// that computed it, its lineage: when every worker holding the value is
// gone, Fetch and the runs reading it compute it again from that graph
// (reading, in turn, the Refs of the futures it read, recomputed the same
// way when they are lost too) and the Ref then points at the new copy. A
// Ref made by Persist has no lineage: losing it is an error naming it.
type Ref struct {
	e        *Executor
	run      uint64
	key      graph.Key
	holders  []uint64 // e.mu
	size     int64    // e.mu
	released bool     // e.mu
	lineage  *graph.Graph
	once     sync.Once
	heal     sync.Mutex // one recomputation at a time
}

// Key returns the key of the value.
func (r *Ref) Key() graph.Key { return r.key }

// Size returns the value's size in bytes, as its worker accounted it.
func (r *Ref) Size() int64 {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return r.size
}

// Release frees the value on the workers that hold it. Later runs reading
// it fail, naming the key. It is safe to call more than once.
func (r *Ref) Release() {
	r.once.Do(func() {
		e := r.e
		e.mu.Lock()
		defer e.mu.Unlock()
		r.released = true
		r.freeLocked()
	})
}

// freeLocked frees r's value on its holders (e.mu held).
func (r *Ref) freeLocked() {
	for _, h := range r.holders {
		if w := r.e.workers[h]; w != nil {
			k := r.key
			w.out.entry(eFree, r.run, func(b []byte) []byte { return graph.AppendBytes(b, []byte(k)) })
		}
	}
	r.holders = nil
}

// lostLocked reports whether r has lineage, was not released, and no
// worker holding it is alive (e.mu held).
func (r *Ref) lostLocked() bool {
	if r.lineage == nil || r.released {
		return false
	}
	for _, h := range r.holders {
		if r.e.workers[h] != nil {
			return false
		}
	}
	return true
}

// recompute computes r's value again from its lineage when it was lost with
// its workers (Stats.Recomputed counts it), and points r at the new copy.
// It does nothing when r has no lineage or a holder is alive.
func (r *Ref) recompute(ctx context.Context) error {
	r.heal.Lock()
	defer r.heal.Unlock()
	e := r.e
	e.mu.Lock()
	lost := r.lostLocked()
	e.mu.Unlock()
	if !lost {
		return nil
	}
	vals, err := sched.Run(e.KeepOutputs(ctx), r.lineage, []graph.Key{r.key}, sched.WithExecutor(e), sched.WithProgress(nil))
	if err != nil {
		return fmt.Errorf("cluster: recompute value %s lost with its workers: %w", r.key, err)
	}
	n, ok := vals[0].(*Ref)
	if !ok {
		return fmt.Errorf("cluster: recompute value %s: the run returned %T", r.key, vals[0])
	}
	e.mu.Lock()
	if r.released {
		n.freeLocked() // released while it was recomputed
	} else {
		r.run, r.holders, r.size = n.run, n.holders, n.size
		n.holders = nil
		e.stats.Recomputed++
	}
	n.released = true
	e.mu.Unlock()
	return nil
}

// recomputeLost recomputes the lost Refs with lineage that g's tasks hold;
// it reports whether there were any.
func (e *Executor) recomputeLost(ctx context.Context, g *graph.Graph) (bool, error) {
	var refs, lost []*Ref
	for _, t := range g.Tasks() {
		if f, ok := t.Op.(*graph.Fused); ok && len(f.Tasks) > 0 {
			t = f.Tasks[0]
		}
		if r, ok := refOf(t, e); ok && r.lineage != nil {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		return false, nil // most runs: no scheduler lock taken
	}
	e.mu.Lock()
	for _, r := range refs {
		if r.lostLocked() {
			lost = append(lost, r)
		}
	}
	e.mu.Unlock()
	for _, r := range lost {
		if err := r.recompute(ctx); err != nil {
			return true, err
		}
	}
	return len(lost) > 0, nil
}

// refOf returns the Ref a Const task of e's holds.
func refOf(t *graph.Task, e *Executor) (*Ref, bool) {
	c, ok := t.Op.(graph.Const)
	if !ok {
		return nil, false
	}
	r, ok := c.V.(*Ref)
	if !ok || r.e != e {
		return nil, false
	}
	return r, true
}

type keepKey struct{}

// Persisted is what Executor.Persist returns: the collections rebuilt on
// values kept on the workers, and their references.
type Persisted struct {
	Collections []sched.Collection
	Refs        []*Ref
}

// Release frees every value of p on the workers.
func (p *Persisted) Release() {
	for _, r := range p.Refs {
		r.Release()
	}
}

// Persist computes colls on the cluster and keeps their values on the
// workers: each collection is rebuilt (sched.Persister) on references
// (*Ref), so later computations on it start from the workers' memory and
// its values never travel through the client. Release frees them. A
// collection whose Persisted needs the values themselves (frame.Frame, whose
// partitions it inspects) is refused with an error naming its type; persist
// those with sched.Persist, which gathers the values.
func (e *Executor) Persist(ctx context.Context, colls []sched.Collection, opts ...sched.Option) (*Persisted, error) {
	var g *graph.Graph
	var outputs []graph.Key
	for i, c := range colls {
		if _, ok := c.(sched.Persister); !ok {
			return nil, fmt.Errorf("cluster: persist: collection %d (%T) cannot be persisted", i, c)
		}
		cg, err := c.Graph()
		if err != nil {
			return nil, err
		}
		if g == nil {
			g = graph.New(cg.Tasks()...)
		} else {
			g.Merge(cg)
		}
		outputs = append(outputs, c.Keys()...)
	}
	if g == nil {
		return &Persisted{}, nil
	}
	ctx = context.WithValue(ctx, keepKey{}, true)
	vals, err := sched.Run(ctx, g, outputs, append(opts, sched.WithExecutor(e))...)
	if err != nil {
		return nil, err
	}
	p := &Persisted{}
	for _, v := range vals {
		p.Refs = append(p.Refs, v.(*Ref))
	}
	for i, c := range colls {
		n := len(c.Keys())
		pc, err := persisted(c, vals[:n:n])
		if err != nil {
			p.Release()
			return nil, fmt.Errorf("cluster: persist: collection %d: %w", i, err)
		}
		p.Collections = append(p.Collections, pc)
		vals = vals[n:]
	}
	return p, nil
}

func persisted(c sched.Collection, refs []any) (pc sched.Collection, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%T cannot hold values kept on the workers (it inspects them: %v); use sched.Persist", c, r)
		}
	}()
	return c.(sched.Persister).Persisted(refs), nil
}

// unfuse splits a fused chain that starts with one of e's Refs (linear
// fusion absorbs a Const into its reader): the Ref becomes its own task
// again, so the scheduler sees a value already on a worker.
func unfuse(g *graph.Graph, e *Executor) (*graph.Graph, error) {
	var out *graph.Graph
	for i, t := range g.Tasks() {
		f, ok := t.Op.(*graph.Fused)
		if !ok || len(f.Tasks) < 2 {
			if out != nil {
				out.Add(t)
			}
			continue
		}
		if _, ok := refOf(f.Tasks[0], e); !ok {
			if out != nil {
				out.Add(t)
			}
			continue
		}
		if out == nil {
			out = graph.WithCapacity(g.Len() + 1)
			for _, p := range g.Tasks()[:i] {
				out.Add(p)
			}
		}
		out.Add(f.Tasks[0])
		rest := f.Tasks[1:]
		if len(rest) == 1 {
			out.Add(rest[0])
			continue
		}
		nt, err := graph.NewFused(rest)
		if err != nil {
			return nil, err
		}
		out.Add(nt)
	}
	if out == nil {
		return g, nil
	}
	return out, nil
}

// gather fetches items from the worker at addr into the client, decoding
// each value and handing it to got, and counts the bytes (Stats.Gathered).
// It goes over a data connection (kept for the next gather), or gRPC's
// DoGet when GODASK_CLUSTER_DATA=grpc.
func (e *Executor) gather(ctx context.Context, addr string, items []item, got func(n int, v any)) error {
	recv := func(n int, b []byte) error {
		e.gathered.Add(int64(len(b)))
		v, err := graph.DecodeValueOwned(b)
		if err != nil {
			return fmt.Errorf("output %s: %w", items[n].key, err)
		}
		got(n, v)
		return nil
	}
	if !dataPlaneOn() {
		cc, err := e.conn(addr)
		if err != nil {
			return err
		}
		return fetch(ctx, flight.NewFlightServiceClient(cc), items, 30*time.Second, recv)
	}
	d, err := e.dataConn(addr)
	if err != nil {
		return err
	}
	// A cancelled ctx ends the call by closing the connection.
	stop := context.AfterFunc(ctx, func() { d.Close() })
	var refused error
	err = d.fetch(items, 30*time.Second, recv, func(n int, err error) {
		if refused == nil {
			refused = err
		}
	})
	if !stop() || err != nil {
		d.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	e.mu.Lock()
	if e.idleData != nil {
		e.idleData[addr] = append(e.idleData[addr], d)
		d = nil
	}
	e.mu.Unlock()
	if d != nil {
		d.Close()
	}
	return refused
}

// dataConn returns an idle data connection to the worker at addr, or a
// new one.
func (e *Executor) dataConn(addr string) (*dataConn, error) {
	e.mu.Lock()
	if ds := e.idleData[addr]; len(ds) > 0 {
		d := ds[len(ds)-1]
		e.idleData[addr] = ds[:len(ds)-1]
		e.mu.Unlock()
		return d, nil
	}
	e.mu.Unlock()
	return dialData(addr, e.sec, 30*time.Second)
}

// Fetch brings a copy of the value to the client from a worker holding it;
// the value stays on the workers until Release. It fails naming the key
// when the value was released or lost with its workers.
//
// A value with lineage (a future's result) that was lost is computed again
// first (see Ref).
func (r *Ref) Fetch(ctx context.Context) (any, error) {
	e := r.e
	var err error
	for try := 0; try < allowedFailures; try++ {
		if err := r.recompute(ctx); err != nil {
			return nil, err
		}
		var addrs []string
		e.mu.Lock()
		for _, h := range r.holders {
			if w := e.workers[h]; w != nil {
				addrs = append(addrs, w.addr)
			}
		}
		released, run := r.released, r.run
		e.mu.Unlock()
		if released {
			return nil, fmt.Errorf("cluster: value %s was released", r.key)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("cluster: value %s was lost with its workers", r.key)
		}
		var v any
		for _, addr := range addrs {
			err = e.gather(ctx, addr, []item{{run: run, key: r.key, part: -1}}, func(_ int, x any) { v = x })
			if err == nil {
				return v, nil
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("cluster: fetch value %s: %w", r.key, err)
			}
		}
		// Every holder failed: lost meanwhile (recomputed on the next
		// try) or unreachable.
	}
	return nil, fmt.Errorf("cluster: fetch value %s: %w", r.key, err)
}

// KeepOutputs returns a context under which a run on e keeps its outputs
// on the workers and returns them as *Ref (as Persist does), each with the
// run's graph as its lineage, so a value lost with its workers is computed
// again when it is read: the futures of a delayed.Client on e keep their
// results on the workers this way.
func (e *Executor) KeepOutputs(ctx context.Context) context.Context {
	return context.WithValue(ctx, keepKey{}, keepLineage)
}

// keepLineage is keepKey's value under KeepOutputs (Persist's is true).
const keepLineage = "lineage"
