package frame

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/sched"
)

func TestRowHashesEncMatchesRowHashes(t *testing.T) {
	rng := rand.New(rand.NewSource(51))
	cases := [][]kind{{kStr}, {kStr, kInt}, {kInt, kStr}, {kStr, kStr, kFloat}, {kBool, kStr, kInt, kStr}, {kInt}}
	for _, kinds := range cases {
		for _, nulls := range []bool{false, true} {
			r := keyRecord(rng, 1+rng.Intn(3000), kinds, nulls, 50)
			keyIdx := make([]int, len(kinds))
			for j := range keyIdx {
				keyIdx[j] = j
			}
			want := fmt.Sprint(rowHashes(r, keyIdx))
			enc := &encCache{}
			if got := fmt.Sprint(rowHashesEnc(r, keyIdx, enc)); got != want {
				t.Fatalf("kinds %v nulls %v: hashes with an empty cache differ", kinds, nulls)
			}
			enc.warm(r)
			if got := fmt.Sprint(rowHashesEnc(r, keyIdx, enc)); got != want {
				t.Fatalf("kinds %v nulls %v: hashes from dictionary codes differ from rowHashes", kinds, nulls)
			}
		}
	}
}

func TestHashGroups(t *testing.T) {
	rng := rand.New(rand.NewSource(52))
	n := radixMinRows + 5000
	r := keyRecord(rng, n, []kind{kInt, kStr}, false, 1<<30)
	keyIdx := []int{0, 1}
	if _, _, ok := hashGroups(r, keyIdx); ok {
		t.Fatal("hashGroups without a hash column")
	}
	hr := withHashCol(r, rowHashes(r, keyIdx))
	gids, first, ok := hashGroups(hr, keyIdx)
	if !ok {
		t.Fatal("hashGroups declined nearly all distinct keys")
	}
	wg, _ := naiveGroups(r)
	comp := make([]uint64, n)
	for i, g := range wg {
		comp[i] = uint64(g)
	}
	checkGrouping(t, "hashGroups", comp, gids, first)
	// Two different keys with one hash: it must notice.
	hs := rowHashes(r, keyIdx)
	for i := 1; i < n; i++ {
		if wg[i] != wg[0] {
			hs[i] = hs[0]
			break
		}
	}
	if _, _, ok := hashGroups(withHashCol(r, hs), keyIdx); ok {
		t.Fatal("hashGroups missed two different keys sharing a hash")
	}
	// Few distinct keys: left to the coded grouping.
	few := keyRecord(rng, n, []kind{kInt}, false, 10)
	if _, _, ok := hashGroups(withHashCol(few, rowHashes(few, []int{0})), []int{0}); ok {
		t.Fatal("hashGroups took keys of 10 values")
	}
}

// TestManyGroupsMergeAgainstNaive merges partial states of many groups in
// one task (hash-grouped states), over fresh and persisted partitions with
// string keys (hashes from dictionary codes) and nulls.
func TestManyGroupsMergeAgainstNaive(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(53))
	n := 2*radixMinRows + 7000
	mem := memory.DefaultAllocator
	sch := arrow.NewSchema([]arrow.Field{{Name: "s", Type: String, Nullable: true}, {Name: "t", Type: String, Nullable: true},
		{Name: "i", Type: Int64, Nullable: true}, {Name: "v", Type: Float64}}, nil)
	type acc struct {
		n int64
		s float64
	}
	ref := map[string]*acc{}
	var recs []arrow.Record
	for p := 0; p < 3; p++ {
		b := array.NewRecordBuilder(mem, sch)
		for i := 0; i < n/3; i++ {
			s := fmt.Sprintf("s%d", rng.Intn(20))
			u := fmt.Sprintf("u%08d", rng.Intn(40*n)) // nearly all distinct, a few repeats
			iv := rng.Int63n(50)
			v := float64(rng.Intn(1000))
			null := rng.Intn(50) == 0
			if null {
				b.Field(0).AppendNull()
			} else {
				b.Field(0).(*array.StringBuilder).Append(s)
			}
			b.Field(1).(*array.StringBuilder).Append(u)
			b.Field(2).(*array.Int64Builder).Append(iv)
			b.Field(3).(*array.Float64Builder).Append(v)
			k := fmt.Sprint(s, "|", u, "|", iv)
			if null {
				k = fmt.Sprint("<nil>|", u, "|", iv)
			}
			a := ref[k]
			if a == nil {
				a = &acc{}
				ref[k] = a
			}
			a.n++
			a.s += v
		}
		recs = append(recs, b.NewRecord())
	}
	f := FromRecords(recs...)
	pf, err := f.Persist(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	for run, src := range []*Frame{f, pf} {
		tab, err := src.GroupBy("s", "t", "i").SplitOut(1).Agg(Col("v").Sum(), Col("v").Size().Alias("n")).Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		if tab.NumRows() != len(ref) {
			t.Fatalf("run %d: %d groups, want %d", run, tab.NumRows(), len(ref))
		}
		for r := 0; r < tab.NumRows(); r++ {
			s := "<nil>"
			if v := tab.Value(r, "s"); v != nil {
				s = v.(string)
			}
			k := fmt.Sprint(s, "|", tab.Value(r, "t"), "|", tab.Value(r, "i"))
			a := ref[k]
			if a == nil || a.n != tab.Value(r, "n").(int64) || a.s != tab.Value(r, "v").(float64) {
				t.Fatalf("run %d group %s: got n=%v v=%v, want %+v", run, k, tab.Value(r, "n"), tab.Value(r, "v"), a)
			}
		}
	}
}

// TestDistinctKeysMerge merges states whose keys are all distinct (each
// merged group is one row; the partial aggregations give up and pass rows
// through): sums of all-null groups must still be 0.
func TestDistinctKeysMerge(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(54))
	n := 1 << 17
	mem := memory.DefaultAllocator
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: String}, {Name: "w", Type: Int64, Nullable: true}, {Name: "j", Type: Int64}}, nil)
	want := map[string]int64{}
	var recs []arrow.Record
	perm := rng.Perm(n)
	for p := 0; p < 2; p++ {
		b := array.NewRecordBuilder(mem, sch)
		for _, i := range perm[p*n/2 : (p+1)*n/2] {
			k := fmt.Sprintf("key%07d", i)
			b.Field(0).(*array.StringBuilder).Append(k)
			if i%3 == 0 {
				b.Field(1).AppendNull()
				want[k] = 0
			} else {
				b.Field(1).(*array.Int64Builder).Append(int64(i))
				want[k] = int64(i)
			}
			b.Field(2).(*array.Int64Builder).Append(int64(i % 7))
		}
		recs = append(recs, b.NewRecord())
	}
	for _, split := range []int{1, 2} {
		tab, err := FromRecords(recs...).GroupBy("k", "j").SplitOut(split).Agg(Col("w").Sum(), Col("w").Count().Alias("c"),
			Col("w").Mean().Alias("m")).Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		if tab.NumRows() != n {
			t.Fatalf("split %d: %d groups, want %d", split, tab.NumRows(), n)
		}
		for r := 0; r < n; r++ {
			k := tab.Value(r, "k").(string)
			w := want[k]
			c, m := int64(1), any(float64(w))
			if w == 0 {
				c, m = 0, nil
			}
			if tab.Value(r, "w") != w || tab.Value(r, "c") != c || tab.Value(r, "m") != m {
				t.Fatalf("split %d group %s: sum %v count %v mean %v, want %d %d %v", split, k, tab.Value(r, "w"), tab.Value(r, "c"), tab.Value(r, "m"), w, c, m)
			}
		}
	}
}

// TestMixedPartialsMerge merges the states of a partition whose keys hardly
// repeat (passed through with their hashes) with those of one that
// aggregated (hashes dropped by the split), in process and through bytes.
func TestMixedPartialsMerge(t *testing.T) {
	ctx := context.Background()
	n := 1<<16 + 4000
	mk := func(p int) ([]int64, []string, []int64) {
		a := make([]int64, n)
		s := make([]string, n)
		v := make([]int64, n)
		for i := range a {
			a[i] = int64(i)
			if p == 1 {
				a[i] = int64(i % 100)
			}
			s[i] = fmt.Sprintf("s%d", i%3)
			v[i] = int64(i % 7)
		}
		return a, s, v
	}
	want := map[string][2]int64{}
	var recs []arrow.Record
	for p := 0; p < 2; p++ {
		a, s, v := mk(p)
		for i := range a {
			k := fmt.Sprint(a[i], s[i])
			w := want[k]
			want[k] = [2]int64{w[0] + v[i], w[1] + 1}
		}
		f := FromColumns(1, Column{"a", a}, Column{"s", s}, Column{"v", v})
		tab, err := f.Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, tab.Record())
	}
	for _, split := range []int{1, 2} {
		for _, o := range [][]sched.Option{opts(), {sched.WithProgress(nil)}} {
			tab, err := FromRecords(recs...).GroupBy("a", "s").SplitOut(split).Agg(Col("v").Sum(), Col("v").Size().Alias("n")).Compute(ctx, o...)
			if err != nil {
				t.Fatal(err)
			}
			if tab.NumRows() != len(want) {
				t.Fatalf("split %d: %d groups, want %d", split, tab.NumRows(), len(want))
			}
			for r := 0; r < tab.NumRows(); r++ {
				k := fmt.Sprint(tab.Value(r, "a"), tab.Value(r, "s"))
				if w := want[k]; w[0] != tab.Value(r, "v") || w[1] != tab.Value(r, "n") {
					t.Fatalf("split %d group %s: got %v %v, want %v", split, k, tab.Value(r, "v"), tab.Value(r, "n"), w)
				}
			}
		}
	}
}
