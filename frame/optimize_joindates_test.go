package frame

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// A date32 column taken from several sources by a join (shuffle pieces,
// broadcast partitions) is gathered as 32-bit days; nulls and the null
// rows of an outer join included. Reference: nested loops.
func TestJoinTakesDateColumns(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: Int64, Nullable: true}, {Name: "d", Type: Date32, Nullable: true}}, nil)
	type row struct {
		k    int64
		d    int64
		dnil bool
	}
	mk := func(n, parts int) ([]row, *Frame) {
		var rows []row
		var recs []arrow.Record
		for p := 0; p < parts; p++ {
			m := n / parts
			ks, ds, dv := make([]int64, m), make([]int64, m), make([]bool, m)
			for i := range ks {
				ks[i], ds[i], dv[i] = int64(r.Intn(20)), int64(r.Intn(20000)-5000), r.Intn(6) > 0
				rows = append(rows, row{ks[i], ds[i], !dv[i]})
			}
			recs = append(recs, array.NewRecord(sch, []arrow.Array{int64Array(ks, nil), dateArray(ds, dv)}, int64(m)))
		}
		f := FromRecords(recs...)
		if f.Err() != nil {
			t.Fatal(f.Err())
		}
		return rows, f
	}
	lrows, lf := mk(120, 3)
	rrows, rf := mk(60, 4)
	cell := func(x row, ok bool) string {
		if !ok {
			return "<nil>"
		}
		if x.dnil {
			return "null"
		}
		return fmt.Sprint(x.d)
	}
	for _, how := range []How{Inner, Outer} {
		var want []string
		rm := make([]bool, len(rrows))
		for _, a := range lrows {
			hit := false
			for j, b := range rrows {
				if a.k == b.k {
					hit, rm[j] = true, true
					want = append(want, cell(a, true)+"|"+cell(b, true))
				}
			}
			if !hit && how == Outer {
				want = append(want, cell(a, true)+"|<nil>")
			}
		}
		if how == Outer {
			for j, b := range rrows {
				if !rm[j] {
					want = append(want, "<nil>|"+cell(b, true))
				}
			}
		}
		sort.Strings(want)
		for _, bc := range []int{-1, 0, 4} {
			tab := compute(t, lf.Merge(rf, MergeOptions{How: how, On: []string{"k"}, Broadcast: bc}))
			dx, dy := tab.Column("d_x"), tab.Column("d_y")
			var got []string
			str := func(a arrow.Array, i int) string {
				if a.IsNull(i) {
					return "null"
				}
				return fmt.Sprint(int64(a.(*array.Date32).Value(i)))
			}
			for i := 0; i < tab.NumRows(); i++ {
				got = append(got, str(dx, i)+"|"+str(dy, i))
			}
			sort.Strings(got)
			// The reference's missing side is a null cell in the result.
			wn := make([]string, len(want))
			for i, w := range want {
				wn[i] = strings.ReplaceAll(w, "<nil>", "null")
			}
			sort.Strings(wn)
			if fmt.Sprint(got) != fmt.Sprint(wn) {
				t.Fatalf("%s join, broadcast %d: %d rows, want %d", how, bc, len(got), len(wn))
			}
		}
	}
}
