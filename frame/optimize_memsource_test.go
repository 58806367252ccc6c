package frame

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// wideRecords is nparts records of 16 int64 columns c0..c15 (c1 null every
// 7th row), rows rows each.
func wideRecords(rng *rand.Rand, nparts, rows int) []arrow.Record {
	var fields []arrow.Field
	for c := 0; c < 16; c++ {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("c%d", c), Type: Int64, Nullable: true})
	}
	sch := arrow.NewSchema(fields, nil)
	var recs []arrow.Record
	for p := 0; p < nparts; p++ {
		var arrs []arrow.Array
		for c := 0; c < 16; c++ {
			v := make([]int64, rows)
			valid := make([]bool, rows)
			for i := range v {
				v[i] = rng.Int63n(100) - 50
				valid[i] = c != 1 || i%7 != 0
			}
			arrs = append(arrs, int64Array(v, valid))
		}
		recs = append(recs, array.NewRecord(sch, arrs, int64(rows)))
	}
	return recs
}

// Issue #11 defect: a filter on a persisted frame copied every column of
// the table; now the pipe first keeps the columns the query reads (without
// a copy) and the filter copies only those.
func TestPersistedFilterTouchesUsedColumns(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(3))
	recs := wideRecords(rng, 4, 500)
	p, err := FromRecords(recs...).Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Filter(Col("c0").Gt(Lit(10))).Agg(Col("c1").Sum().Alias("s"), Col("c1").Count().Alias("n"))
	g, err := q.Graph()
	if err != nil {
		t.Fatal(err)
	}
	filters := 0
	for _, tk := range g.Tasks() {
		po, ok := tk.Op.(*pipeOp)
		if !ok {
			continue
		}
		for i, s := range po.steps {
			if s.kind != "filter" {
				continue
			}
			filters++
			if i == 0 || po.steps[i-1].kind != "cols" || fmt.Sprint(po.steps[i-1].names) != "[c0 c1]" {
				t.Fatalf("filter pipe %v does not start by keeping [c0 c1]", po.steps)
			}
		}
	}
	if filters != 4 {
		t.Fatalf("%d filter steps, want 4", filters)
	}
	var sum, n int64
	for _, r := range recs {
		c0, c1 := colOf(r.Column(0)), colOf(r.Column(1))
		for i := 0; i < int(r.NumRows()); i++ {
			if c0.i64[i] > 10 && !c1.null(i) {
				sum += c1.i64[i]
				n++
			}
		}
	}
	for name, o := range execs(t) {
		tab := compute(t, q, o...)
		if tab.Value(0, "s") != sum || tab.Value(0, "n") != n {
			t.Fatalf("%s: got s=%v n=%v, want %d %d", name, tab.Value(0, "s"), tab.Value(0, "n"), sum, n)
		}
	}
}

// BenchmarkPersistedFilterSum is issue #11's measurement: a 16-column
// persisted table filtered on one column and summed on another.
func BenchmarkPersistedFilterSum(b *testing.B) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(1))
	p, err := FromRecords(wideRecords(rng, 8, 250000)...).Persist(ctx)
	if err != nil {
		b.Fatal(err)
	}
	q := p.Filter(Col("c0").Gt(Lit(0))).Agg(Col("c1").Sum())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := q.Compute(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
