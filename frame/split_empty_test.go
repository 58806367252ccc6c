package frame

import (
	"context"
	"math/rand"
	"runtime"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// TestSplitManyPieces splits few rows into many more pieces than rows (the
// partial result of a groupby with few groups under a low memory limit,
// which has hundreds of input partitions and so hundreds of output pieces)
// and checks that every row lands in exactly one piece, piece (h>>32) % p of
// its key hash (the placement copart.go relies on), with the schema kept on
// empty pieces; and that the split holds row indices into its input, not a
// record per piece: each record's Arrow objects cost kilobytes that the
// scheduler's size accounting does not see, and with 10^8 rows under 256 MiB
// they were most of the heap.
func TestSplitManyPieces(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rng := rand.New(rand.NewSource(1))
	for _, p := range []int{3, 256, 257, 600, 5000} {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
		want := map[string]int64{}
		for i := 0; i < 100; i++ {
			k := string(rune('a'+rng.Intn(26))) + "é" + string(rune('0'+i%10)) + string(rune('A'+rng.Intn(26)))
			if i == 7 {
				k = ""
			}
			v := rng.Int63()
			if i == 9 {
				v = -1 << 63
			}
			if _, ok := want[k]; ok {
				continue
			}
			want[k] = v
			b.Field(0).(*array.StringBuilder).Append(k)
			b.Field(1).(*array.Int64Builder).Append(v)
		}
		r := b.NewRecord()
		hs := keyHashes(r, []int{0})
		home := map[string]int{}
		for i, h := range hs {
			home[r.Column(0).(*array.String).Value(i)] = int((h >> 32) % uint64(p))
		}
		op := &splitOp{keys: []string{"k"}, n: p}
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		v, err := op.Run(context.Background(), []any{&Part{R: r}})
		runtime.ReadMemStats(&m1)
		if err != nil {
			t.Fatal(err)
		}
		ps := v.(*Pieces)
		if ps.NumPieces() != p {
			t.Fatalf("p=%d: %d pieces", p, ps.NumPieces())
		}
		// Row indices: 4 bytes a row, a slice header and a count a piece,
		// the hashes; a record per piece costs far more.
		if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > uint64(64*int64(p)+16*r.NumRows()+8192) {
			t.Errorf("p=%d: splitting %d rows allocated %d bytes", p, r.NumRows(), alloc)
		}
		if sz := ps.Size(); sz > recordSize(r)+4*r.NumRows() {
			t.Errorf("p=%d: Size %d, more than the input %d and its row indices", p, sz, recordSize(r))
		}
		got := map[string]int64{}
		empty := 0
		for j := 0; j < p; j++ {
			pc := ps.Piece(j)
			if !pc.Schema().Equal(sch) {
				t.Fatalf("piece schema %v, want %v", pc.Schema(), sch)
			}
			if pc.NumRows() == 0 {
				empty++
			}
			ks, vs := pc.Column(0).(*array.String), pc.Column(1).(*array.Int64)
			for i := 0; i < int(pc.NumRows()); i++ {
				k := ks.Value(i)
				if _, dup := got[k]; dup {
					t.Fatalf("p=%d: key %q in two pieces", p, k)
				}
				if home[k] != j {
					t.Fatalf("p=%d: key %q in piece %d, its hash says %d", p, k, j, home[k])
				}
				got[k] = vs.Value(i)
			}
		}
		if len(got) != len(want) || empty < p-len(want) {
			t.Fatalf("p=%d: %d keys in pieces (want %d), %d empty", p, len(got), len(want), empty)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("p=%d: key %q: %d, want %d", p, k, got[k], v)
			}
		}
	}
}
