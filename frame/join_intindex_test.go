package frame

import (
	"context"
	"math"
	"math/bits"
	"math/rand"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// TestIntIndexProbeMatchesHashProbe: the direct lookup of a join table on
// one integer key returns exactly the rows, in the order, of the hash
// table's probe, for inner, left, semi and anti joins, in each of its
// modes: a dense range (a head slot per value), a sparse one (the bitmap,
// then the hash chains), negative keys, and a range too wide for any index
// (int64 extremes); with null keys on both sides, duplicate build keys and
// probe keys outside the range.
func TestIntIndexProbeMatchesHashProbe(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		gen   func(r *rand.Rand) int64
		index bool // an index is built
		dense bool // with a head slot per value
	}{
		{"dense", func(r *rand.Rand) int64 { return int64(r.Intn(300)) }, true, true},
		{"negative", func(r *rand.Rand) int64 { return -int64(r.Intn(200)) - 1e9 }, true, true},
		{"sparse", func(r *rand.Rand) int64 { return int64(r.Intn(1000)) * 997 }, true, false},
		{"wide", func(r *rand.Rand) int64 {
			return []int64{math.MinInt64, math.MaxInt64, 0, -1, 1}[r.Intn(5)] + int64(r.Intn(3))*int64(1-2*r.Intn(2))
		}, false, false},
	}
	for ci, c := range cases {
		r := rand.New(rand.NewSource(int64(ci)))
		nb := 200 + r.Intn(100)
		bv, bvalid := make([]int64, nb), make([]bool, nb)
		for i := range bv {
			bv[i], bvalid[i] = c.gen(r), r.Intn(20) > 0
		}
		rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "k", Type: Int64, Nullable: true}}, nil),
			[]arrow.Array{int64Array(bv, bvalid)}, int64(nb))
		tab, err := newJoinTable(rec, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		if (tab.ix != nil) != c.index || (tab.ix != nil && (tab.ix.head != nil) != c.dense) {
			t.Fatalf("%s: index %v, want index %v dense %v", c.name, tab.ix != nil, c.index, c.dense)
		}
		if tab.ix == nil {
			continue
		}
		distinct := map[int64]bool{}
		for i, v := range bv {
			if bvalid[i] {
				distinct[v] = true
			}
		}
		if got := tab.ix.onesIn(); got != len(distinct) {
			t.Errorf("%s: %d keys in the bitmap, want %d", c.name, got, len(distinct))
		}
		nl := 5000
		lv, lvalid := make([]int64, nl), make([]bool, nl)
		for i := range lv {
			switch r.Intn(10) {
			case 0:
				lv[i] = []int64{math.MinInt64, math.MaxInt64, tab.ix.lo - 1, tab.ix.lo + int64(tab.ix.span)}[r.Intn(4)]
			case 1:
				lv[i] = bv[r.Intn(nb)] // null on the left or the right: never a match
			default:
				lv[i] = c.gen(r)
			}
			lvalid[i] = r.Intn(15) > 0
		}
		lrec := array.NewRecord(rec.Schema(), []arrow.Array{int64Array(lv, lvalid)}, int64(nl))
		l := &joinSide{srcs: [][]arrow.Array{{lrec.Column(0)}}, n: nl, first: lrec}
		_, lc, lh, lnull := sideKeys(l, []int{0})
		// A table built on the left marks the rows that right rows match
		// (join_semibuild.go): the same marks by the index as by hashes.
		ix := tab.ix
		few := lrec.NewSlice(0, 120) // few enough that some keys stay unmarked
		rside := &joinSide{srcs: [][]arrow.Array{{few.Column(0)}}, n: int(few.NumRows()), first: few}
		_, rc, rh, rnull := sideKeys(rside, []int{0})
		withIx, withHash := newJoinMarks(nb), newJoinMarks(nb)
		if err := markLeft(ctx, tab, rside, []int{0}, nil, rc, nil, rnull, &joinSpec{}, withIx); err != nil {
			t.Fatal(err)
		}
		tab.ix = nil
		if err := markLeft(ctx, tab, rside, []int{0}, nil, rc, rh, rnull, &joinSpec{}, withHash); err != nil {
			t.Fatal(err)
		}
		tab.ix = ix
		if !slices.Equal(withIx.bits, withHash.bits) {
			t.Errorf("%s: marks by the index differ from the hash table's", c.name)
		}
		if marked := withIx.count(); marked == 0 || marked == nb {
			t.Errorf("%s: %d of %d rows marked: the case tests little", c.name, marked, nb)
		}
		for _, how := range []How{Inner, Left, Semi, Anti} {
			wl, wr := probeTable(ctx, lc, tab.c, lh, tab.h, tab.head, tab.next, tab.mask, lnull, how, nb)
			gl, gr := tab.ix.probe(ctx, lc[0], tab.c[0].i64, tab.head, tab.next, tab.mask, how)
			if !slices.Equal(gl, wl) || !slices.Equal(gr, wr) {
				t.Errorf("%s %v: %d/%d rows, want %d/%d", c.name, how, len(gl), len(gr), len(wl), len(wr))
			}
			if len(wl) == 0 {
				t.Errorf("%s %v: no rows: the case tests nothing", c.name, how)
			}
		}
	}
}

// count is the number of rows marked.
func (m *joinMarks) count() int {
	n := 0
	for i := 0; i < m.n; i++ {
		if m.has(i) {
			n++
		}
	}
	return n
}

// onesIn counts the keys present in the index's bitmap.
func (x *intIndex) onesIn() int {
	n := 0
	for _, w := range x.has {
		n += bits.OnesCount64(w)
	}
	return n
}
