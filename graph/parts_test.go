package graph

import (
	"context"
	"encoding/binary"
	"reflect"
	"testing"
)

// int64s is a Parted test value: part j is element j.
type int64s []int64

func (s int64s) NumParts() int  { return len(s) }
func (s int64s) Part(j int) any { return s[j] }

// pickOp reads part `part` of its one input and adds c.
type pickOp struct{ part, c int64 }

func (pickOp) Name() string { return "graph_test.pick" }
func (p pickOp) Params() ([]byte, error) {
	return binary.AppendVarint(binary.AppendVarint(nil, p.part), p.c), nil
}
func (p pickOp) InputParts(int) []int { return []int{int(p.part)} }
func (p pickOp) Run(_ context.Context, in []any) (any, error) {
	return in[0].(int64) + p.c, nil
}

func init() {
	Register("graph_test.pick", func(b []byte) (Op, error) {
		r := NewReader(b)
		p := pickOp{part: r.Varint()}
		p.c = r.Varint()
		return p, r.Err()
	})
	RegisterType[int64s]()
}

func TestSelectPart(t *testing.T) {
	v := int64s{10, 20, 30}
	if got := SelectPart(v, 1); got != int64(20) {
		t.Errorf("SelectPart(v, 1) = %v", got)
	}
	if got := SelectPart(v, -1); !reflect.DeepEqual(got, v) {
		t.Errorf("SelectPart(v, -1) = %v", got)
	}
	if got := SelectPart(int64(5), 2); got != int64(5) {
		t.Errorf("SelectPart of a value that is not Parted = %v", got)
	}
	if InputPartsOf(addOp{}, 2) != nil || InputPartsOf(pickOp{part: -1}, 1) != nil {
		t.Error("whole readers report part selectors")
	}
	if got := InputPartsOf(pickOp{part: 2}, 3); !reflect.DeepEqual(got, []int{2, -1, -1}) {
		t.Errorf("InputPartsOf pads with -1: %v", got)
	}
}

// A fused chain forwards the part selectors of its external inputs, one
// fused input per (key, part), through encoding; parts of chain values are
// selected inside the chain.
func TestFusedForwardsPartSelectors(t *testing.T) {
	x := Key("x")
	p2, _ := NewTask(pickOp{part: 2}, x)
	p1, _ := NewTask(pickOp{part: 1, c: 100}, x)
	p2b, _ := NewTask(pickOp{part: 2, c: 1000}, x)
	sum, _ := NewTask(addOp{}, p2.Key, p1.Key, p2b.Key)
	ft, err := NewFused([]*Task{p2, p1, p2b, sum})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ft.Deps, []Key{x, x}) {
		t.Fatalf("fused deps %v, want x twice (parts 2 and 1)", ft.Deps)
	}
	b, err := EncodeTask(ft)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeTask(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range []*Task{ft, back} {
		sel := InputPartsOf(tk.Op, len(tk.Deps))
		if !reflect.DeepEqual(sel, []int{2, 1}) {
			t.Fatalf("fused selectors %v, want [2 1]", sel)
		}
		v := int64s{1, 2, 3}
		in := []any{SelectPart(v, sel[0]), SelectPart(v, sel[1])}
		got, err := tk.Op.Run(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(3 + 2 + 100 + 3 + 1000); got != want {
			t.Errorf("fused run = %v, want %d", got, want)
		}
	}
	// A chain value read by part: the chain selects it.
	mk := ConstTask("v", int64s{7, 8, 9})
	pk, _ := NewTask(pickOp{part: 1}, mk.Key)
	ft2, err := NewFused([]*Task{mk, pk})
	if err != nil {
		t.Fatal(err)
	}
	if sel := InputPartsOf(ft2.Op, len(ft2.Deps)); sel != nil || len(ft2.Deps) != 0 {
		t.Fatalf("chain with no external input: deps %v, selectors %v", ft2.Deps, sel)
	}
	if got, err := ft2.Op.Run(context.Background(), nil); err != nil || got != int64(8) {
		t.Errorf("chain part = %v, %v; want 8", got, err)
	}
}
