package graph_test

// The task and value decoders a remote worker exposes to the network: every
// registered op's parameter decoder and every registered value codec, fed
// arbitrary bytes, must return an error or a value, never panic. The
// registries are enumerated, so ops and codecs added later are covered; the
// seeds are the parameters and values of real graphs of every collection.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	arrarray "github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/array"
	"github.com/godask/godask/delayed"
	"github.com/godask/godask/delayed/bag"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

func wireAdd(a, b int) int { return a + b }

func init() { delayed.Register("graph_test.wireAdd", wireAdd) }

// sampleCollections builds a few graphs of each collection kind.
func sampleCollections(tb testing.TB) []sched.Collection {
	d := array.NewDense(array.Float64, 6, 4)
	for i := range d.Data {
		d.Data[i] = float64(i) - 3.5
	}
	a := array.FromDense(d, array.Regular{4, 3})
	b := array.FromDense(d, array.Regular{2, 2})
	kb := arrarray.NewInt64Builder(memory.DefaultAllocator)
	vb := arrarray.NewFloat64Builder(memory.DefaultAllocator)
	for i := 0; i < 10; i++ {
		kb.Append(int64(i % 3))
		vb.Append(float64(i) / 2)
	}
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: arrow.PrimitiveTypes.Float64}}, nil)
	rec := arrarray.NewRecord(sch, []arrow.Array{kb.NewArray(), vb.NewArray()}, 10)
	f := frame.FromRecords(rec.NewSlice(0, 4), rec.NewSlice(4, 10))
	x := delayed.Call2(wireAdd, delayed.Lit(2), delayed.Lit(3))
	return []sched.Collection{
		a.Add(b).Sum(0), a.T().Rechunk(array.Regular{2, 6}), a.Index("::-1, [0, 2]"), a.Mean(),
		f.GroupBy("k").Sum("v"), f.SortValues(true, "v"), f.Filter(frame.Col("v").Gt(frame.Lit(1.0))),
		f.Merge(f, frame.MergeOptions{On: []string{"k"}}), f.DropDuplicates("k"), f.Describe(), f.Repartition(3),
		bag.Range(20, 3), x,
	}
}

// seeds returns (op name, params) of every task of the sample graphs, fused
// and not, and the encoded values of their results.
func seeds(tb testing.TB) (map[string][][]byte, [][]byte) {
	seedOnce.Do(func() { seedOps, seedVals = buildSeeds(tb) })
	return seedOps, seedVals
}

var (
	seedOnce sync.Once
	seedOps  map[string][][]byte
	seedVals [][]byte
)

func buildSeeds(tb testing.TB) (ops map[string][][]byte, vals [][]byte) {
	ops = map[string][][]byte{}
	for _, c := range sampleCollections(tb) {
		g, err := c.Graph()
		if err != nil {
			tb.Fatal(err)
		}
		fg, err := graph.Fuse(g, c.Keys())
		if err != nil {
			tb.Fatal(err)
		}
		for _, gr := range []*graph.Graph{g, fg} {
			for _, t := range gr.Tasks() {
				if !graph.Registered(t.Op.Name()) {
					continue
				}
				if p, err := t.Op.Params(); err == nil {
					ops[t.Op.Name()] = append(ops[t.Op.Name()], p)
				}
			}
		}
		out, err := sched.Run(context.Background(), g, c.Keys(), sched.WithProgress(nil))
		if err != nil {
			tb.Fatal(err)
		}
		for _, v := range out {
			if b, err := graph.EncodeValue(v); err == nil {
				vals = append(vals, b)
			}
		}
	}
	return ops, vals
}

// FuzzDecodeOp: any bytes as the parameters of any registered op decode to
// an op or an error; a decoded op's parameters decode again.
func FuzzDecodeOp(f *testing.F) {
	names := graph.RegisteredOps()
	ops, _ := seeds(f)
	for i, n := range names {
		f.Add(uint16(i), []byte{})
		for _, p := range ops[n] {
			f.Add(uint16(i), p)
		}
	}
	f.Fuzz(func(t *testing.T, which uint16, params []byte) {
		name := names[int(which)%len(names)]
		op, err := graph.Decode(name, params)
		if err != nil {
			return
		}
		p, err := op.Params()
		if err != nil {
			return
		}
		if _, err := graph.Decode(name, p); err != nil {
			t.Fatalf("op %s: decoded from %x, its own params %x do not decode: %v", name, params, p, err)
		}
	})
}

// FuzzDecodeValue: any bytes after any registered codec's wire name decode
// to a value or an error; a decoded value that encodes decodes again.
func FuzzDecodeValue(f *testing.F) {
	names := graph.RegisteredCodecs()
	_, vals := seeds(f)
	for _, v := range vals {
		f.Add(uint16(0), v, true)
	}
	for i := range names {
		f.Add(uint16(i), []byte{1, 2, 3}, false)
	}
	f.Fuzz(func(t *testing.T, which uint16, payload []byte, raw bool) {
		b := payload
		if !raw {
			n := names[int(which)%len(names)]
			b = binary.AppendUvarint(nil, uint64(len(n)))
			b = append(append(b, n...), payload...)
		}
		// The copy-free decoding (the cluster transport's) of the same
		// bytes must not panic either, and where both decode, agree.
		owned, oerr := graph.DecodeValueOwned(append([]byte(nil), b...))
		v, err := graph.DecodeValue(b)
		if err != nil {
			return
		}
		_ = graph.SizeOf(v)
		e, err := graph.EncodeValue(v)
		if err != nil {
			return
		}
		if _, err := graph.DecodeValue(e); err != nil {
			t.Fatalf("a decoded %T re-encodes to bytes that do not decode: %v", v, err)
		}
		segs, _, err := graph.EncodeSegments(v)
		if err != nil || !bytes.Equal(bytes.Join(segs, nil), e) {
			t.Fatalf("the segments of a decoded %T differ from its encoding (%v)", v, err)
		}
		if oerr == nil {
			if oe, err := graph.EncodeValue(owned); err != nil || !bytes.Equal(oe, e) {
				t.Fatalf("a %T decoded from an owned buffer re-encodes differently (%v)", v, err)
			}
		}
	})
}

// TestRegistriesCovered: the fuzzers above see every op and codec, and the
// sample graphs give seeds for most ops.
func TestRegistriesCovered(t *testing.T) {
	ops, vals := seeds(t)
	names := graph.RegisteredOps()
	seeded := 0
	for _, n := range names {
		if len(ops[n]) > 0 {
			seeded++
		}
	}
	if len(names) < 10 || len(graph.RegisteredCodecs()) < 5 || len(vals) == 0 {
		t.Fatalf("%d ops, %d codecs, %d values", len(names), len(graph.RegisteredCodecs()), len(vals))
	}
	t.Log(fmt.Sprintf("%d ops (%d with seeds), %d codecs, %d seed values", len(names), seeded, len(graph.RegisteredCodecs()), len(vals)))
}
