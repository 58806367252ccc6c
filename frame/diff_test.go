package frame

// A differential test: random frames built to break things (nulls in keys
// and values, NaN, ±Inf, -0.0, int64 extremes, unicode keys, empty
// partitions) queried through frame and through a straightforward
// row-by-row reference, on the local executor, sched.Loopback and a 4 KB
// memory limit. The same queries against DuckDB are examples/bench's
// "semantics" suite.

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"sort"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

type diffRow struct {
	k  *int64   // int key, small range
	s  *string  // string key, unicode
	i  *int64   // int value with extremes
	f  *float64 // float value with NaN, ±Inf, -0.0
	id int64    // row number, never null
}

func diffData(t *testing.T, seed int64) ([]diffRow, *Frame) {
	rng := rand.New(rand.NewSource(seed))
	words := []string{"a", "B", "ß", "straße", "Élan", "日本", "🙂", "", "z z"}
	ints := []int64{0, 1, -1, 7, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, 1 << 53}
	floats := []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.NaN(), math.Inf(1), math.Inf(-1), 1e300, 0.5}
	var sizes []int
	for p := 0; p < 7; p++ {
		if rng.Intn(3) == 0 {
			sizes = append(sizes, 0)
		} else {
			sizes = append(sizes, rng.Intn(300))
		}
	}
	var rows []diffRow
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: Int64, Nullable: true}, {Name: "s", Type: String, Nullable: true},
		{Name: "i", Type: Int64, Nullable: true}, {Name: "f", Type: Float64, Nullable: true}, {Name: "id", Type: Int64}}, nil)
	var recs []arrow.Record
	for _, n := range sizes {
		kv, iv, idv := make([]int64, n), make([]int64, n), make([]int64, n)
		fv := make([]float64, n)
		kok, sok, iok, fok := make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n)
		sb := newStrBuilder(n)
		for r := 0; r < n; r++ {
			var row diffRow
			row.id = int64(len(rows))
			idv[r] = row.id
			if kok[r] = rng.Intn(8) != 0; kok[r] {
				kv[r] = int64(rng.Intn(9) - 3)
				row.k = &kv[r]
			}
			if sok[r] = rng.Intn(8) != 0; sok[r] {
				w := words[rng.Intn(len(words))]
				sb.add([]byte(w))
				row.s = &w
			} else {
				sb.addNull()
			}
			if iok[r] = rng.Intn(6) != 0; iok[r] {
				if rng.Intn(4) == 0 {
					iv[r] = ints[rng.Intn(len(ints))]
				} else {
					iv[r] = int64(rng.Intn(200) - 100)
				}
				row.i = &iv[r]
			}
			if fok[r] = rng.Intn(6) != 0; fok[r] {
				if rng.Intn(3) == 0 {
					fv[r] = floats[rng.Intn(len(floats))]
				} else {
					fv[r] = float64(rng.Intn(80)-40) / 4
				}
				row.f = &fv[r]
			}
			rows = append(rows, row)
		}
		recs = append(recs, array.NewRecord(sch, []arrow.Array{int64Array(kv, kok), sb.array(), int64Array(iv, iok), float64Array(fv, fok), int64Array(idv, nil)}, int64(n)))
	}
	f := FromRecords(recs...)
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	return rows, f
}

// fkey is a float as a comparable map key: NaN one value, -0.0 = 0.0.
func fkey(f *float64) string {
	if f == nil {
		return "null"
	}
	if math.IsNaN(*f) {
		return "NaN"
	}
	if *f == 0 {
		return "0"
	}
	return fmt.Sprint(*f)
}

func sameFloat(a any, b *float64, tol float64) bool {
	if b == nil || a == nil {
		return (a == nil) == (b == nil)
	}
	x, ok := a.(float64)
	if !ok {
		return false
	}
	y := *b
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	if math.IsInf(y, 0) || tol == 0 {
		return x == y
	}
	return math.Abs(x-y) <= tol*math.Max(1, math.Abs(y))
}

func fp(f float64) *float64 { return &f }

func TestDifferential(t *testing.T) {
	ctx := context.Background()
	ops := []struct {
		name string
		e    func(Expr, Expr) Expr
		ref  func(a, b float64) bool
	}{
		{"==", Expr.Eq, func(a, b float64) bool { return a == b }}, {"!=", Expr.Ne, func(a, b float64) bool { return a != b }},
		{"<", Expr.Lt, func(a, b float64) bool { return a < b }}, {"<=", Expr.Le, func(a, b float64) bool { return a <= b }},
		{">", Expr.Gt, func(a, b float64) bool { return a > b }}, {">=", Expr.Ge, func(a, b float64) bool { return a >= b }},
	}
	queries := 0
	for seed := int64(1); seed <= 3; seed++ {
		rows, f := diffData(t, seed)
		for name, o := range execs(t) {
			fail := func(q string, format string, args ...any) {
				t.Helper()
				t.Errorf("seed %d %s %s: %s", seed, name, q, fmt.Sprintf(format, args...))
			}
			// Filters: row count and the (wrapping) int sum of what is kept.
			for _, op := range ops {
				for _, lit := range []float64{0, 1.5, math.Inf(1), math.NaN()} {
					queries++
					var n, sum int64
					for _, r := range rows {
						if r.f != nil && op.ref(*r.f, lit) {
							n++
							if r.i != nil {
								sum += *r.i
							}
						}
					}
					tab := compute(t, f.Filter(op.e(Col("f"), Lit(lit))).Agg(Col("id").Count().Alias("n"), Col("i").Sum().Alias("s")), o...)
					if tab.Value(0, "n") != n || tab.Value(0, "s") != sum {
						fail("filter f "+op.name+fmt.Sprint(lit), "n %v sum %v, want %d %d", tab.Value(0, "n"), tab.Value(0, "s"), n, sum)
					}
				}
			}
			// GroupBy an int key (dense path) and a string key (hash path).
			type acc struct {
				isum       int64
				icnt, fcnt int64
				fsum       float64
				imean      *big.Int // exact
				iabs       float64  // sum of |i|, for the float error bound
				mn, mx     *float64
				fs         []float64
				distinct   map[string]bool
			}
			groupRef := func(key func(diffRow) string) map[string]*acc {
				m := map[string]*acc{}
				for _, r := range rows {
					k := key(r)
					a := m[k]
					if a == nil {
						a = &acc{distinct: map[string]bool{}, imean: new(big.Int)}
						m[k] = a
					}
					if r.i != nil {
						a.isum += *r.i
						a.icnt++
						a.imean.Add(a.imean, big.NewInt(*r.i))
						a.iabs += math.Abs(float64(*r.i))
					}
					if r.f != nil {
						a.fcnt++
						a.fsum += *r.f
						a.distinct[fkey(r.f)] = true
						if !math.IsNaN(*r.f) {
							a.fs = append(a.fs, *r.f)
							if a.mn == nil || *r.f < *a.mn {
								a.mn = fp(*r.f)
							}
							if a.mx == nil || *r.f > *a.mx {
								a.mx = fp(*r.f)
							}
						}
					}
				}
				return m
			}
			aggs := []Expr{Col("i").Sum().Alias("isum"), Col("i").Mean().Alias("imean"), Col("f").Count().Alias("fcnt"), Col("f").Sum().Alias("fsum"),
				Col("f").Min().Alias("mn"), Col("f").Max().Alias("mx"), Col("f").Median().Alias("md"), Col("f").NUnique().Alias("nu")}
			for _, g := range []struct {
				col string
				key func(diffRow) string
				of  func(any) string
			}{
				{"k", func(r diffRow) string {
					if r.k == nil {
						return "null"
					}
					return fmt.Sprint(*r.k)
				}, func(v any) string {
					if v == nil {
						return "null"
					}
					return fmt.Sprint(v)
				}},
				{"s", func(r diffRow) string {
					if r.s == nil {
						return "null"
					}
					return "'" + *r.s
				}, func(v any) string {
					if v == nil {
						return "null"
					}
					return "'" + v.(string)
				}},
			} {
				queries++
				ref := groupRef(g.key)
				// The mean, median and nunique run in separate queries too, as
				// holistic aggregations change the plan.
				for qi, q := range [][]Expr{aggs, aggs[:6], aggs[6:]} {
					tab := compute(t, f.GroupBy(g.col).Agg(q...), o...)
					if tab.NumRows() != len(ref) {
						fail("groupby "+g.col, "%d groups, want %d", tab.NumRows(), len(ref))
						continue
					}
					for r := 0; r < tab.NumRows(); r++ {
						a := ref[g.of(tab.Value(r, g.col))]
						if a == nil {
							fail("groupby "+g.col, "unexpected group %v", tab.Value(r, g.col))
							continue
						}
						var md *float64
						if len(a.fs) > 0 {
							sort.Float64s(a.fs)
							md = fp(midOfSorted(a.fs))
						}
						// The mean adds in float64: within n·eps·Σ|v|/n of exact.
						imeanOK := tab.Value(r, "imean") == nil
						if a.icnt > 0 {
							exact, _ := new(big.Float).Quo(new(big.Float).SetInt(a.imean), big.NewFloat(float64(a.icnt))).Float64()
							got, _ := tab.Value(r, "imean").(float64)
							imeanOK = math.Abs(got-exact) <= 4*float64(a.icnt)*0x1p-52*a.iabs/float64(a.icnt)+1e-9
						}
						check := func(c string, ok bool) {
							if !ok {
								fail(fmt.Sprintf("groupby %s q%d", g.col, qi), "group %v: %s = %v", tab.Value(r, g.col), c, tab.Value(r, c))
							}
						}
						if qi < 2 {
							check("isum", tab.Value(r, "isum") == a.isum)
							check("imean", imeanOK)
							check("fcnt", tab.Value(r, "fcnt") == a.fcnt)
							check("fsum", sameFloat(tab.Value(r, "fsum"), fp(a.fsum), 1e-12))
							check("mn", sameFloat(tab.Value(r, "mn"), a.mn, 0))
							check("mx", sameFloat(tab.Value(r, "mx"), a.mx, 0))
						}
						if qi != 1 {
							check("md", sameFloat(tab.Value(r, "md"), md, 0))
							check("nu", tab.Value(r, "nu") == int64(len(a.distinct)))
						}
					}
				}
			}
			// Sort by f, then id: NaN and null last in both directions.
			for _, desc := range []bool{false, true} {
				queries++
				ref := append([]diffRow(nil), rows...)
				rank := func(r diffRow) int {
					if r.f == nil || math.IsNaN(*r.f) {
						return 1
					}
					return 0
				}
				sort.SliceStable(ref, func(a, b int) bool {
					ra, rb := rank(ref[a]), rank(ref[b])
					if ra != rb || ra == 1 {
						return ra < rb
					}
					if desc {
						return *ref[a].f > *ref[b].f
					}
					return *ref[a].f < *ref[b].f
				})
				tab := compute(t, f.SortValues(desc, "f"), o...)
				if tab.NumRows() != len(ref) {
					fail("sort", "%d rows, want %d", tab.NumRows(), len(ref))
					continue
				}
				for r := range ref {
					if !sameFloat(tab.Value(r, "f"), ref[r].f, 0) && !(ref[r].f != nil && *ref[r].f == 0 && tab.Value(r, "f") == 0.0) {
						fail(fmt.Sprintf("sort desc=%v", desc), "row %d: f %v, want %v", r, tab.Value(r, "f"), fkey(ref[r].f))
						break
					}
				}
			}
			// NLargest: no null or NaN kept.
			queries++
			var vals []float64
			for _, r := range rows {
				if r.f != nil && !math.IsNaN(*r.f) {
					vals = append(vals, *r.f)
				}
			}
			sort.Sort(sort.Reverse(sort.Float64Slice(vals)))
			if len(vals) > 7 {
				vals = vals[:7]
			}
			tab := compute(t, f.NLargest(7, "f"), o...)
			if tab.NumRows() != len(vals) {
				fail("nlargest", "%d rows, want %d", tab.NumRows(), len(vals))
			} else {
				for r, v := range vals {
					if tab.Value(r, "f") != v && !(v == 0 && tab.Value(r, "f") == 0.0) {
						fail("nlargest", "row %d: %v, want %v", r, tab.Value(r, "f"), v)
					}
				}
			}
			// Inner join on the float column with itself: NaN and null match
			// nothing, 0.0 matches -0.0.
			queries++
			cnt := map[string]int64{}
			for _, r := range rows {
				if r.f != nil && !math.IsNaN(*r.f) {
					cnt[fkey(r.f)]++
				}
			}
			var pairs int64
			for _, c := range cnt {
				pairs += c * c
			}
			right := f.SelectCols("f", "id").Rename(map[string]string{"id": "rid"})
			n, err := f.SelectCols("f", "id").Merge(right, MergeOptions{On: []string{"f"}, How: Inner, Broadcast: -1}).Len(ctx, o...)
			if err != nil || int64(n) != pairs {
				fail("self join on f", "%d pairs (%v), want %d", n, err, pairs)
			}
			// Distinct string keys and casts.
			queries++
			seen := map[string]bool{}
			var castSum int64
			for _, r := range rows {
				if r.s == nil {
					seen["null"] = true
				} else {
					seen["'"+*r.s] = true
				}
				if r.f != nil && *r.f >= -0x1p63 && *r.f < 0x1p63 {
					castSum += int64(*r.f)
				}
			}
			if n, err := f.Unique("s").Len(ctx, o...); err != nil || n != len(seen) {
				fail("unique s", "%d (%v), want %d", n, err, len(seen))
			}
			queries++
			tab = compute(t, f.Select(Col("f").Cast(Int64).Alias("c")).Agg(Col("c").Sum()), o...)
			if tab.Value(0, "c") != castSum {
				fail("cast f to int", "sum %v, want %d", tab.Value(0, "c"), castSum)
			}
		}
	}
	t.Logf("%d queries × 3 executors", queries/3)
}
