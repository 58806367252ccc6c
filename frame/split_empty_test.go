package frame

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// TestSplitByHashManyPieces splits few rows into many more pieces than rows
// (most pieces empty, which share one record) and checks every row lands in
// exactly one piece, with the schema kept on empty pieces.
func TestSplitByHashManyPieces(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	rng := rand.New(rand.NewSource(1))
	want := map[string]int64{}
	for i := 0; i < 50; i++ {
		k := string(rune('a'+rng.Intn(26))) + "é" + string(rune('0'+i%10))
		v := rng.Int63()
		if _, ok := want[k]; ok {
			continue
		}
		want[k] = v
		b.Field(0).(*array.StringBuilder).Append(k)
		b.Field(1).(*array.Int64Builder).Append(v)
	}
	r := b.NewRecord()
	pieces := splitByHash(r, []int{0}, 600)
	if len(pieces) != 600 {
		t.Fatalf("%d pieces, want 600", len(pieces))
	}
	got := map[string]int64{}
	empty := 0
	for _, p := range pieces {
		if !p.Schema().Equal(sch) {
			t.Fatalf("piece schema %v, want %v", p.Schema(), sch)
		}
		if p.NumRows() == 0 {
			empty++
		}
		ks, vs := p.Column(0).(*array.String), p.Column(1).(*array.Int64)
		for i := 0; i < int(p.NumRows()); i++ {
			if _, dup := got[ks.Value(i)]; dup {
				t.Fatalf("key %q in two pieces", ks.Value(i))
			}
			got[ks.Value(i)] = vs.Value(i)
		}
	}
	if len(got) != len(want) || empty < 600-len(want) {
		t.Fatalf("%d keys in pieces (want %d), %d empty", len(got), len(want), empty)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("key %q: %d, want %d", k, got[k], v)
		}
	}
}
