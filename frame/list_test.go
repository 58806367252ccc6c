package frame

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// splitInput is the column of testdata/issue12/gen_split.py (nil: null),
// in uneven partitions with an empty one.
func splitInput(t *testing.T, noEmpty bool) *Frame {
	t.Helper()
	vals := []*string{sp("a,b,,c"), sp("Zoë,日本"), nil, sp(""), sp("x"), sp(" lead, trail "), sp(","), sp("一,二,三,四,五")}
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	kb := array.NewInt64Builder(memory.DefaultAllocator)
	for i, v := range vals {
		kb.Append(int64(i))
		if v == nil {
			sb.AppendNull()
		} else {
			sb.Append(*v)
		}
	}
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: Int64}, {Name: "s", Type: String, Nullable: true}}, nil)
	r := array.NewRecord(sch, []arrow.Array{kb.NewArray(), sb.NewArray()}, int64(len(vals)))
	if noEmpty {
		return FromRecords(r.NewSlice(0, 3), r.NewSlice(3, 8))
	}
	return FromRecords(r.NewSlice(0, 3), r.NewSlice(3, 3), r.NewSlice(3, 8))
}

func sp(s string) *string { return &s }

func strsOrNil(t *testing.T, tab *Table, col string) []any {
	t.Helper()
	var out []any
	for i := 0; i < tab.NumRows(); i++ {
		out = append(out, tab.Value(i, col))
	}
	return out
}

func TestSplitListAgainstPandas(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "issue12", "split.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]struct {
		Lists    [][]string `json:"lists"`
		Len      []any      `json:"len"`
		Get0     []any      `json:"get0"`
		GetM1    []any      `json:"getm1"`
		Explode  []any      `json:"explode"`
		ExplodeK []float64  `json:"explode_k"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	in := splitInput(t, false)
	for _, c := range []struct {
		key, sep string
		n        int
	}{{",|-1", ",", -1}, {",|1", ",", 1}, {"|-1", "", -1}, {"|1", "", 1}} {
		w := want[c.key]
		f := in.SplitList("s", c.sep, c.n, "parts")
		if dt := f.Dtypes(); !arrow.TypeEqual(dt[2].Type, ListString) {
			t.Fatalf("%s: dtypes %v", c.key, dt)
		}
		tab := compute(t, f.ListLen("parts", "n").ListGet("parts", 0, "g0").ListGet("parts", -1, "gm1"))
		lists, err := tab.Lists("parts")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(lists, w.Lists) {
			t.Fatalf("%s: lists %q, want %q", c.key, lists, w.Lists)
		}
		for i, v := range strsOrNil(t, tab, "n") {
			if wv := w.Len[i]; (v == nil) != (wv == nil) || (v != nil && float64(v.(int64)) != wv.(float64)) {
				t.Fatalf("%s: len[%d] %v, want %v", c.key, i, v, wv)
			}
		}
		if g := strsOrNil(t, tab, "g0"); !reflect.DeepEqual(g, w.Get0) {
			t.Fatalf("%s: get(0) %q, want %q", c.key, g, w.Get0)
		}
		if g := strsOrNil(t, tab, "gm1"); !reflect.DeepEqual(g, w.GetM1) {
			t.Fatalf("%s: get(-1) %q, want %q", c.key, g, w.GetM1)
		}
		ex := compute(t, f.Explode("parts"))
		if g := strsOrNil(t, ex, "parts"); !reflect.DeepEqual(g, w.Explode) {
			t.Fatalf("%s: explode %q, want %q", c.key, g, w.Explode)
		}
		var ks []float64
		for _, k := range strsOrNil(t, ex, "k") {
			ks = append(ks, float64(k.(int64)))
		}
		if !reflect.DeepEqual(ks, w.ExplodeK) {
			t.Fatalf("%s: explode k %v, want %v", c.key, ks, w.ExplodeK)
		}
	}
}

// A list column passes through filters, sorts, Persist and Parquet.
func TestListColumnThroughOps(t *testing.T) {
	ctx := context.Background()
	f := splitInput(t, false).SplitList("s", ",", -1, "parts")
	p, err := f.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := compute(t, p.Filter(Col("k").Ge(Lit(int64(5)))).SortValues(true, "k"))
	lists, _ := got.Lists("parts")
	if want := [][]string{{"一", "二", "三", "四", "五"}, {"", ""}, {" lead", " trail "}}; !reflect.DeepEqual(lists, want) {
		t.Fatalf("filter+sort: %q", lists)
	}
	// Parquet, the empty partition included (an empty file's list column).
	f = splitInput(t, false).SplitList("s", ",", -1, "parts")
	dir := filepath.Join(t.TempDir(), "pq")
	if err := f.WriteParquet(ctx, dir, "snappy"); err != nil {
		t.Fatal(err)
	}
	back := ReadParquet(filepath.Join(dir, "*.parquet"))
	if back.Err() != nil {
		t.Fatal(back.Err())
	}
	rt := compute(t, back.SortValues(false, "k").ListLen("parts", "n"))
	a, _ := compute(t, f.SortValues(false, "k")).Lists("parts")
	b, err := rt.Lists("parts")
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("parquet round trip: %q, want %q (%v)", b, a, err)
	}
	// Bad input: clear errors naming the column.
	for _, bad := range []*Frame{f.SplitList("k", ",", -1, "x"), f.ListLen("s", "x"), f.Explode("nope"), f.ListGet("k", 0, "")} {
		if bad.Err() == nil {
			t.Fatal("no error")
		}
	}
}
