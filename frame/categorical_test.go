package frame

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

type catFixture struct {
	S          []*string `json:"s"`
	V          []float64 `json:"v"`
	Cats       []string  `json:"cats"`
	Codes      []int32   `json:"codes"`
	SortedID   []int64   `json:"sorted_id"`
	GroupKeys  []string  `json:"group_keys"`
	GroupSums  []float64 `json:"group_sums"`
	AutoCats   []string  `json:"auto_cats"`
	AutoCodes  []int32   `json:"auto_codes"`
	VCKeys     []string  `json:"vc_keys"`
	VCCounts   []int64   `json:"vc_counts"`
	partitions []int
}

// catInput is the fixture's frame (s, v, id) in uneven partitions with an
// empty one.
func catInput(t *testing.T) (*catFixture, *Frame) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "issue12", "categorical.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx catFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	for _, s := range fx.S {
		if s == nil {
			sb.AppendNull()
		} else {
			sb.Append(*s)
		}
	}
	ids := make([]int64, len(fx.S))
	for i := range ids {
		ids[i] = int64(i)
	}
	sch := arrow.NewSchema([]arrow.Field{{Name: "s", Type: String, Nullable: true}, {Name: "v", Type: Float64}, {Name: "id", Type: Int64}}, nil)
	n := int64(len(ids))
	r := array.NewRecord(sch, []arrow.Array{sb.NewArray(), float64Array(fx.V, nil), int64Array(ids, nil)}, n)
	return &fx, FromRecords(r.NewSlice(0, 17), r.NewSlice(17, 17), r.NewSlice(17, 150), r.NewSlice(150, n))
}

func checkCodes(t *testing.T, what string, tab *Table, col string, cats []string, codes []int32) {
	t.Helper()
	gotCats, err := tab.Categories(col)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !reflect.DeepEqual(gotCats, cats) {
		t.Fatalf("%s: categories %q, want %q", what, gotCats, cats)
	}
	got, err := tab.Codes(col)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !reflect.DeepEqual(got, codes) {
		t.Fatalf("%s: codes %v,\nwant %v", what, got, codes)
	}
}

func TestCategoricalAgainstPandas(t *testing.T) {
	fx, in := catInput(t)
	ctx := context.Background()
	for name, o := range execs(t) {
		t.Run(name, func(t *testing.T) {
			f := in.AsCategorical("s", fx.Cats)
			if dt := f.Dtypes(); !arrow.TypeEqual(dt[0].Type, Categorical) {
				t.Fatalf("dtypes %v", dt)
			}
			// Known categories: codes as pandas' cat.codes (a value not
			// among them is missing).
			tab := compute(t, f, o...)
			checkCodes(t, "AsCategorical", tab, "s", fx.Cats, fx.Codes)
			for i, c := range fx.Codes {
				want := any(nil)
				if c >= 0 {
					want = fx.Cats[c]
				}
				if got := tab.Value(i, "s"); got != want {
					t.Fatalf("row %d: %v, want %v", i, got, want)
				}
			}
			// Sort by the category order (stable, missing last).
			st := compute(t, f.SortValues(false, "s", "id").SelectCols("id"), o...)
			// pandas' stable sort is by (code, position): id breaks ties the same way.
			if got, _ := st.Int64s("id"); !reflect.DeepEqual(got, fx.SortedID) {
				t.Fatalf("sorted ids %v,\nwant %v", got, fx.SortedID)
			}
			// Groupby keys stay categorical; sums as pandas' observed=True.
			g := compute(t, f.GroupBy("s").DropNA().Agg(Col("v").Sum()), o...)
			if !isCategorical(g.Column("s").DataType()) {
				t.Fatalf("groupby key is %s", g.Column("s").DataType())
			}
			got := map[string]float64{}
			for i := 0; i < g.NumRows(); i++ {
				got[g.Value(i, "s").(string)] = g.Value(i, "v").(float64)
			}
			if len(got) != len(fx.GroupKeys) {
				t.Fatalf("groups %v, want keys %v", got, fx.GroupKeys)
			}
			for i, k := range fx.GroupKeys {
				if math.Abs(got[k]-fx.GroupSums[i]) > 1e-9 {
					t.Fatalf("group %q: %v, want %v", k, got[k], fx.GroupSums[i])
				}
			}
			vc := compute(t, f.ValueCounts("s", ValueCountsOptions{DropNA: true}), o...)
			for i := 0; i < vc.NumRows(); i++ {
				k := vc.Value(i, "s").(string)
				for j, w := range fx.VCKeys {
					if w == k && vc.Value(i, "count").(int64) != fx.VCCounts[j] {
						t.Fatalf("count of %q: %v, want %v", k, vc.Value(i, "count"), fx.VCCounts[j])
					}
				}
			}
			// Expressions read the strings; computed results are strings.
			e := compute(t, f.Filter(Col("s").Eq(Lit("Zoë"))).Select(Col("s"), Col("s").Upper().Alias("u"), Col("s").Alias("s2")), o...)
			if !isCategorical(e.Column("s").DataType()) || !isCategorical(e.Column("s2").DataType()) || e.Column("u").DataType().ID() != arrow.STRING {
				t.Fatalf("types %s %s %s", e.Column("s").DataType(), e.Column("s2").DataType(), e.Column("u").DataType())
			}
			for i := 0; i < e.NumRows(); i++ {
				if e.Value(i, "s") != "Zoë" || e.Value(i, "u") != "ZOË" {
					t.Fatalf("row %d: %v %v", i, e.Value(i, "s"), e.Value(i, "u"))
				}
			}
			// Shuffles (a hash join on the categorical key) keep it.
			right := FromColumns(2, Column{Name: "s", Values: []string{"zeta", "日本", "ß"}}, Column{Name: "w", Values: []int64{1, 2, 3}})
			j := compute(t, f.Merge(right, MergeOptions{On: []string{"s"}, Broadcast: -1}), o...)
			wantRows := 0
			for _, c := range fx.Codes {
				if c >= 0 && (fx.Cats[c] == "zeta" || fx.Cats[c] == "日本" || fx.Cats[c] == "ß") {
					wantRows++
				}
			}
			if j.NumRows() != wantRows {
				t.Fatalf("join rows %d, want %d", j.NumRows(), wantRows)
			}
		})
	}
	// Categorize: sorted distinct values, as astype("category").
	f, err := in.Categorize(ctx, []string{"s"})
	if err != nil {
		t.Fatal(err)
	}
	tab := compute(t, f)
	checkCodes(t, "Categorize", tab, "s", fx.AutoCats, fx.AutoCodes)
	if s := tab.String(); !strings.Contains(s, "Zoë") || !strings.Contains(s, "[300 rows x 3 columns]") {
		t.Fatalf("printed:\n%s", s)
	}
}

func TestCategoricalParquetAndPersist(t *testing.T) {
	fx, in := catInput(t)
	ctx := context.Background()
	f := in.AsCategorical("s", fx.Cats)
	p, err := f.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkCodes(t, "Persist", compute(t, p), "s", fx.Cats, fx.Codes)
	dir := t.TempDir()
	if err := f.WriteParquet(ctx, dir, "snappy"); err != nil {
		t.Fatal(err)
	}
	back := ReadParquet(filepath.Join(dir, "*.parquet"))
	if back.Err() != nil {
		t.Fatal(back.Err())
	}
	if dt := back.Dtypes(); !arrow.TypeEqual(dt[0].Type, Categorical) {
		t.Fatalf("read back as %v", dt)
	}
	checkCodes(t, "Parquet", compute(t, back), "s", fx.Cats, fx.Codes)
	// A filter on the categorical column read back.
	n := 0
	for _, c := range fx.Codes {
		if c == 1 {
			n++
		}
	}
	cnt := compute(t, back.Filter(Col("s").Eq(Lit(fx.Cats[1]))))
	if cnt.NumRows() != n {
		t.Fatalf("filter rows %d, want %d", cnt.NumRows(), n)
	}
}

func TestCategoricalBadInput(t *testing.T) {
	_, in := catInput(t)
	if err := in.AsCategorical("nope", nil).Err(); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown column: %v", err)
	}
	if err := in.AsCategorical("v", []string{"a"}).Err(); err == nil || !strings.Contains(err.Error(), "not a string") {
		t.Fatalf("float column: %v", err)
	}
	if err := in.AsCategorical("s", []string{"a", "a"}).Err(); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("duplicate category: %v", err)
	}
	if _, err := in.Categorize(context.Background(), []string{"id"}); err == nil {
		t.Fatal("Categorize of an int column: no error")
	}
	tab := compute(t, in)
	if _, err := tab.Codes("s"); err == nil || !strings.Contains(err.Error(), "not categorical") {
		t.Fatalf("Codes of a string column: %v", err)
	}
}
