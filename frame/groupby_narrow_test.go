package frame

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// narrowRecord makes a record of key k in lo..lo+span-1 and int columns a
// and b (values from ga and gb) and float column f.
func narrowRecord(rng *rand.Rand, n int, lo, span int64, ga, gb func() int64) arrow.Record {
	k := make([]int64, n)
	a := make([]int64, n)
	b := make([]int64, n)
	f := make([]float64, n)
	for i := range k {
		k[i] = lo + rng.Int63n(span)
		a[i], b[i] = ga(), gb()
		f[i] = float64(rng.Intn(1<<20)) / 64
	}
	fields := []arrow.Field{{Name: "k", Type: Int64}, {Name: "a", Type: Int64}, {Name: "b", Type: Int64}, {Name: "f", Type: Float64}}
	return array.NewRecord(arrow.NewSchema(fields, nil),
		[]arrow.Array{int64Array(k, nil), int64Array(a, nil), int64Array(b, nil), float64Array(f, nil)}, int64(n))
}

// naiveSums sums the named columns of r by its key (column 0), each row of
// the result printed as the sums in order.
func naiveSums(r arrow.Record, cols []string) map[string]string {
	type acc struct {
		i []int64
		f []float64
	}
	m := map[string]*acc{}
	var order []string
	for i := 0; i < int(r.NumRows()); i++ {
		k := r.Column(0).ValueStr(i)
		a := m[k]
		if a == nil {
			a = &acc{i: make([]int64, len(cols)), f: make([]float64, len(cols))}
			m[k] = a
			order = append(order, k)
		}
		for j, name := range cols {
			c := r.Column(r.Schema().FieldIndices(name)[0])
			if x, ok := c.(*array.Int64); ok {
				a.i[j] += x.Value(i)
			} else {
				a.f[j] += c.(*array.Float64).Value(i)
			}
		}
	}
	out := map[string]string{}
	for _, k := range order {
		row := ""
		for j, name := range cols {
			if name == "f" {
				row += fmt.Sprint(m[k].f[j]) + "|"
			} else {
				row += fmt.Sprint(m[k].i[j]) + "|"
			}
		}
		out[k] = row
	}
	return out
}

// TestDenseNarrowAgainstNaive: sums of one to three columns through the
// one-pass table of int32 or int64 accumulators (the width chosen from each
// column's range and the row count) equal naive sums, including values
// whose sums overflow int32, groups whose sums are zero, and ranges from
// the cache of a persisted partition.
func TestDenseNarrowAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(91))
	gens := []struct {
		name string
		g    func(n int) func() int64
		w    uintptr // accumulator width expected for n rows
	}{
		{"small positive", func(int) func() int64 { return func() int64 { return 1 + rng.Int63n(5) } }, 4},
		{"mixed signs", func(int) func() int64 { return func() int64 { return rng.Int63n(7) - 3 } }, 4},
		{"negative", func(int) func() int64 { return func() int64 { return -1 - rng.Int63n(15) } }, 4},
		// At the bound: n rows of m sum to at most 2^31-1.
		{"at int32 bound", func(n int) func() int64 {
			m := int64((1<<31 - 1) / uint64(n))
			return func() int64 { return m - rng.Int63n(2) }
		}, 4},
		{"at -int32 bound", func(n int) func() int64 {
			m := int64((1<<31 - 1) / uint64(n))
			return func() int64 { return -m }
		}, 4},
		// Past it: int64 accumulators, and sums that overflow int32.
		{"past int32 bound", func(n int) func() int64 {
			m := int64((1<<31-1)/uint64(n)) + 1
			return func() int64 { return m }
		}, 8},
		{"huge", func(int) func() int64 { return func() int64 { return 1<<40 + rng.Int63n(1<<40) } }, 8},
		{"huge mixed", func(int) func() int64 { return func() int64 { return rng.Int63n(1<<42) - 1<<41 } }, 8},
	}
	colSets := [][]string{{"a"}, {"f"}, {"a", "b"}, {"f", "a"}, {"a", "b", "f"}, {"b", "f", "a"}, {"f", "b"}}
	narrow := 0
	for trial := 0; trial < 160; trial++ {
		n := 1 + rng.Intn(3000)
		span := []int64{1, 3, 50, 700}[trial%4]
		lo := rng.Int63n(1<<20) - 1<<19
		ga, gb := gens[trial%len(gens)], gens[rng.Intn(len(gens))]
		r := narrowRecord(rng, n, lo, span, ga.g(n), gb.g(n))
		cols := colSets[trial%len(colSets)]
		var aggs []aggSpec
		for _, c := range cols {
			k := kInt
			if c == "f" {
				k = kFloat
			}
			aggs = append(aggs, aggSpec{fn: "sum", in: c, out: c, k: k})
		}
		var enc *encCache
		if trial%3 == 0 {
			enc = &encCache{}
			enc.warm(r)
		}
		// The widths denseNarrow picks.
		kc := colOf(r.Column(0))
		klo, khi, _ := minMaxInt(&kc)
		var ins []*denseInput
		for j, c := range cols {
			idx := r.Schema().FieldIndices(c)[0]
			ins = append(ins, &denseInput{name: c, idx: idx, c: colOf(r.Column(idx)), sum: j + 1, cnt: -1})
		}
		nt, ok := denseNarrow(r, r.Column(0), &kc, klo, int(khi-klo+1), ins, enc)
		if !ok {
			t.Fatalf("trial %d: denseNarrow declined %v", trial, cols)
		}
		for _, f := range nt.fields {
			want := uintptr(8)
			switch f.in.name {
			case "a":
				want = ga.w
			case "b":
				want = gb.w
			}
			if f.width != want {
				t.Fatalf("trial %d (%s/%s, n %d): column %s has a %d-byte accumulator, want %d", trial, ga.name, gb.name, n, f.in.name, f.width, want)
			}
		}
		nt.release()

		got, ok, err := denseAgg(r, []int{0}, aggs, enc, 0) // 0: the table is "wider than L2"
		if err != nil || !ok {
			t.Fatalf("trial %d: dense %v, %v", trial, ok, err)
		}
		narrow++
		want := naiveSums(r, cols)
		g := rowsByKey(got)
		if len(g) != len(want) {
			t.Fatalf("trial %d: %d groups, want %d", trial, len(g), len(want))
		}
		for k, w := range want {
			if g[k] != w {
				t.Fatalf("trial %d (%s/%s, n %d, %v) key %s: sums %q, want %q", trial, ga.name, gb.name, n, cols, k, g[k], w)
			}
		}
		// Keys come out in order.
		ks := got.Column(0).(*array.Int64).Int64Values()
		for i := 1; i < len(ks); i++ {
			if ks[i] <= ks[i-1] {
				t.Fatalf("trial %d: keys out of order at %d", trial, i)
			}
		}
	}
	if narrow < 100 {
		t.Fatalf("only %d trials", narrow)
	}
}

// TestDenseNarrowOverflowSum: one group of rows whose int sum passes 2^31
// (the column's range forces int64 accumulators) sums exactly.
func TestDenseNarrowOverflowSum(t *testing.T) {
	n := 4000
	k := make([]int64, n)
	a := make([]int64, n)
	f := make([]float64, n)
	var want int64
	for i := range k {
		k[i] = int64(i % 2)
		a[i] = 1<<21 + int64(i) // 4000 * 2^21 > 2^31
		if k[i] == 0 {
			want += a[i]
		}
		f[i] = 0.5
	}
	fields := []arrow.Field{{Name: "k", Type: Int64}, {Name: "a", Type: Int64}, {Name: "f", Type: Float64}}
	r := array.NewRecord(arrow.NewSchema(fields, nil), []arrow.Array{int64Array(k, nil), int64Array(a, nil), float64Array(f, nil)}, int64(n))
	aggs := []aggSpec{{fn: "sum", in: "a", out: "a", k: kInt}, {fn: "sum", in: "f", out: "f", k: kFloat}}
	got, ok, err := denseAgg(r, []int{0}, aggs, nil, 0)
	if err != nil || !ok {
		t.Fatalf("dense %v, %v", ok, err)
	}
	if want <= math.MaxInt32 {
		t.Fatalf("test sum %d does not pass int32", want)
	}
	if s := got.Column(1).(*array.Int64).Value(0); s != want {
		t.Fatalf("sum %d, want %d", s, want)
	}
	if s := got.Column(2).(*array.Float64).Value(0); s != float64(n/2)*0.5 {
		t.Fatalf("float sum %v, want %v", s, float64(n/2)*0.5)
	}
}

// TestDenseMergeSourcesAgainstMerge: merging state pieces in place (rows
// picked by index lists or whole records, with and without key hashes)
// gives exactly what mergeAgg gives on their concatenation.
func TestDenseMergeSourcesAgainstMerge(t *testing.T) {
	rng := rand.New(rand.NewSource(92))
	for trial := 0; trial < 80; trial++ {
		nv := 1 + trial%4 // states per row: 3 takes the one-pass merge
		var fields []arrow.Field
		keyType := arrow.DataType(Int64)
		if trial%5 == 4 {
			keyType = Timestamp
		}
		fields = append(fields, arrow.Field{Name: "k", Type: keyType})
		var aggs []aggSpec
		kinds := make([]kind, nv)
		for j := range kinds {
			kinds[j] = kInt
			if rng.Intn(2) == 0 {
				kinds[j] = kFloat
			}
			typ := arrow.DataType(Int64)
			if kinds[j] == kFloat {
				typ = Float64
			}
			name := fmt.Sprintf("s%d", j)
			fields = append(fields, arrow.Field{Name: name, Type: typ})
			aggs = append(aggs, aggSpec{fn: "sum", in: name, out: name, k: kinds[j]})
		}
		nsrc := 2 + rng.Intn(6)
		lo, span := rng.Int63n(1000)-500, int64(1+rng.Intn(400))
		srcs := make([]arrow.Record, nsrc)
		idx := make([][]int32, nsrc)
		withHash := trial%3 == 0
		for s := range srcs {
			n := rng.Intn(300)
			cols := []arrow.Array{}
			ks := make([]int64, n)
			for i := range ks {
				ks[i] = lo + rng.Int63n(span)
			}
			if trial%5 == 4 {
				cols = append(cols, timeArray(ks, nil))
			} else {
				cols = append(cols, int64Array(ks, nil))
			}
			for _, k := range kinds {
				if k == kFloat {
					v := make([]float64, n)
					for i := range v {
						v[i] = rng.NormFloat64() * 1e3
					}
					cols = append(cols, float64Array(v, nil))
				} else {
					v := make([]int64, n)
					for i := range v {
						v[i] = rng.Int63n(1<<50) - 1<<49
					}
					cols = append(cols, int64Array(v, nil))
				}
			}
			srcs[s] = array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))
			if withHash {
				srcs[s] = withHashCol(srcs[s], rowHashes(srcs[s], []int{0}))
			}
			if rng.Intn(3) > 0 {
				for i := 0; i < n; i++ {
					if rng.Intn(2) == 0 {
						idx[s] = append(idx[s], int32(i))
					}
				}
				if idx[s] == nil {
					idx[s] = []int32{}
				}
			}
		}
		got, ok := denseMergeSources(srcs, idx, 1, aggs)
		if !ok {
			t.Fatalf("trial %d: declined", trial)
		}
		cat, err := gatherRecords(srcs, idx)
		if err != nil {
			t.Fatal(err)
		}
		want := mergeAgg(cat, 1, aggs)
		if got.NumRows() != want.NumRows() || got.NumCols() != want.NumCols() {
			t.Fatalf("trial %d: %dx%d, want %dx%d", trial, got.NumRows(), got.NumCols(), want.NumRows(), want.NumCols())
		}
		if !got.Schema().Equal(want.Schema()) {
			t.Fatalf("trial %d: schema %v, want %v", trial, got.Schema(), want.Schema())
		}
		for c := 0; c < int(got.NumCols()); c++ {
			for i := 0; i < int(got.NumRows()); i++ {
				if g, w := got.Column(c).ValueStr(i), want.Column(c).ValueStr(i); g != w {
					t.Fatalf("trial %d col %d row %d: %s, want %s", trial, c, i, g, w)
				}
			}
		}
	}
	// Declines: two keys, a null key, a wide range.
	r := narrowRecord(rng, 10, 0, 5, func() int64 { return 1 }, func() int64 { return 2 })
	aggs := []aggSpec{{fn: "sum", in: "a", k: kInt}}
	if _, ok := denseMergeSources([]arrow.Record{r, r}, [][]int32{nil, nil}, 2, aggs); ok {
		t.Fatal("merged two keys")
	}
	if _, ok := denseMergeSources([]arrow.Record{r, narrowRecord(rng, 10, 1<<40, 5, func() int64 { return 1 }, func() int64 { return 2 })}, [][]int32{nil, nil}, 1, aggs); ok {
		t.Fatal("merged keys spanning 2^40")
	}
	if _, ok := denseMergeSources([]arrow.Record{r, r}, [][]int32{nil, nil}, 1, []aggSpec{{fn: "min", in: "a", k: kInt}}); ok {
		t.Fatal("merged min states")
	}
}

// TestSplitIdxFastMod: the piece of each row is its key hash's upper half
// modulo the number of pieces.
func TestSplitIdxFastMod(t *testing.T) {
	rng := rand.New(rand.NewSource(93))
	for _, p := range []int{2, 3, 5, 7, 64, 100, 255, 256} {
		r := narrowRecord(rng, 5000, -1<<62, 1<<62, func() int64 { return 1 }, func() int64 { return 2 })
		hs := rowHashes(r, []int{0})
		idx := splitIdx(r, []int{0}, p)
		seen := 0
		for j, rows := range idx {
			for _, i := range rows {
				if w := int((hs[i] >> 32) % uint64(p)); w != j {
					t.Fatalf("p %d: row %d in piece %d, want %d", p, i, j, w)
				}
				seen++
			}
		}
		if seen != 5000 {
			t.Fatalf("p %d: %d rows split", p, seen)
		}
	}
	// The multiplication itself, on the edges of 32-bit dividends.
	for p := uint64(1); p <= 256; p++ {
		m := ^uint64(0)/p + 1
		for _, x := range []uint64{0, 1, p - 1, p, p + 1, 1<<32 - 1, 1<<32 - 2, 1 << 31, uint64(rng.Uint32())} {
			x &= 1<<32 - 1
			if hi, _ := bits.Mul64(m*x, p); hi != x%p {
				t.Fatalf("%d mod %d: %d", x, p, hi)
			}
		}
	}
}

// TestDenseNarrowCopies: sums over the cached narrow copies of a persisted
// partition (key minus its minimum as uint32, values in 0..65535 as uint8
// or uint16) equal naive sums, and the float sums are bit-identical to the
// path without a cache; ranges at the uint8 and uint16 bounds take the
// copies, negative values or values past 65535 fall back to the int64
// columns, and a second run reuses the copies.
func TestDenseNarrowCopies(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	type gen struct {
		name string
		lo   int64
		hi   int64
	}
	gens := []gen{
		{"u8 0..255", 0, 255},
		{"u8 255", 255, 255},
		{"u8 1..5", 1, 5},
		{"u16 256", 0, 256},
		{"u16 0..65535", 65000, 65535},
		{"past u16", 65000, 65536},
		{"negative lo", -1, 5},
		{"negative", -300, -200},
	}
	colSets := [][]string{{"a"}, {"a", "b"}, {"f", "a"}, {"a", "b", "f"}, {"b", "f", "a"}, {"f", "b"}}
	took := 0
	for trial := 0; trial < 120; trial++ {
		n := 1 + rng.Intn(2500)
		if trial%5 == 0 {
			n = 1 + rng.Intn(5)
		}
		span := []int64{1, 2, 300, 1000}[trial%4]
		klo := []int64{-1 << 40, -7, 0, 1 << 35}[rng.Intn(4)]
		ga, gb := gens[trial%len(gens)], gens[rng.Intn(len(gens))]
		mk := func(g gen) func() int64 {
			return func() int64 {
				switch rng.Intn(8) {
				case 0:
					return g.lo
				case 1:
					return g.hi
				}
				return g.lo + rng.Int63n(g.hi-g.lo+1)
			}
		}
		r := narrowRecord(rng, n, klo, span, mk(ga), mk(gb))
		cols := colSets[trial%len(colSets)]
		var aggs []aggSpec
		for _, c := range cols {
			k := kInt
			if c == "f" {
				k = kFloat
			}
			aggs = append(aggs, aggSpec{fn: "sum", in: c, out: c, k: k})
		}
		plain, ok, err := denseAgg(r, []int{0}, aggs, nil, 0)
		if err != nil || !ok {
			t.Fatalf("trial %d: plain dense %v, %v", trial, ok, err)
		}
		enc := &encCache{}
		enc.warm(r)
		want := naiveSums(r, cols)
		for run := 0; run < 2; run++ {
			got, ok, err := denseAgg(r, []int{0}, aggs, enc, 0)
			if err != nil || !ok {
				t.Fatalf("trial %d: dense %v, %v", trial, ok, err)
			}
			g := rowsByKey(got)
			if len(g) != len(want) {
				t.Fatalf("trial %d: %d groups, want %d", trial, len(g), len(want))
			}
			for k, w := range want {
				if g[k] != w {
					t.Fatalf("trial %d (%s/%s, n %d, %v) key %s: sums %q, want %q", trial, ga.name, gb.name, n, cols, k, g[k], w)
				}
			}
			for j := range aggs {
				if aggs[j].in != "f" {
					continue
				}
				x := got.Column(1 + j).(*array.Float64).Float64Values()
				y := plain.Column(1 + j).(*array.Float64).Float64Values()
				for i := range x {
					if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
						t.Fatalf("trial %d: float sum %d is %v, %v without the cache", trial, i, x[i], y[i])
					}
				}
			}
		}
		// Which copies there are: warm (Persist) makes the value copy of
		// every integer column that fits (by its actual range); the key copy
		// is made by the narrow path (when all columns fit) or by warm (when
		// the key column has no value copy).
		width := func(c string) int {
			cc := colOf(r.Column(r.Schema().FieldIndices(c)[0]))
			lo, hi, _ := minMaxInt(&cc)
			switch {
			case lo < 0 || hi > math.MaxUint16:
				return 0
			case hi > math.MaxUint8:
				return 2
			}
			return 1
		}
		all := true
		for _, c := range cols {
			if c != "f" {
				all = all && width(c) > 0
			}
		}
		if all {
			took++
		}
		for _, c := range cols {
			idx := r.Schema().FieldIndices(c)[0]
			e := enc.nc[narrowKey{r.Column(idx).Data(), false}]
			wantW := 0
			if c != "f" {
				wantW = width(c)
			}
			gotW := 0
			if e != nil && e.u8 != nil {
				gotW = 1
			} else if e != nil && e.u16 != nil {
				gotW = 2
			}
			if gotW != wantW {
				t.Fatalf("trial %d (%s/%s, %v): column %s copied %d bytes wide, want %d", trial, ga.name, gb.name, cols, c, gotW, wantW)
			}
		}
		wantKey := all || width("k") == 0
		if k := enc.nc[narrowKey{r.Column(0).Data(), true}]; wantKey != (k != nil && len(k.u32) == n) {
			t.Fatalf("trial %d: key copy %v, want %v", trial, k != nil, wantKey)
		}
	}
	if took < 30 {
		t.Fatalf("only %d trials took the narrow copies", took)
	}
}

// TestDenseNarrowCopiesConcurrent: groupbys running at once over one
// persisted partition make its narrow copies once and agree (run with
// -race).
func TestDenseNarrowCopiesConcurrent(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	r := narrowRecord(rng, 20000, 1, 3000, func() int64 { return 1 + rng.Int63n(5) }, func() int64 { return rng.Int63n(300) })
	aggs := []aggSpec{{fn: "sum", in: "a", out: "a", k: kInt}, {fn: "sum", in: "b", out: "b", k: kInt}, {fn: "sum", in: "f", out: "f", k: kFloat}}
	want := naiveSums(r, []string{"a", "b", "f"})
	enc := &encCache{}
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		go func() {
			got, ok, err := denseAgg(r, []int{0}, aggs, enc, 0)
			if err != nil || !ok {
				errs <- fmt.Errorf("dense %v, %v", ok, err)
				return
			}
			g := rowsByKey(got)
			for k, w := range want {
				if g[k] != w {
					errs <- fmt.Errorf("key %s: sums %q, want %q", k, g[k], w)
					return
				}
			}
			errs <- nil
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if len(enc.nc) != 3 || enc.nc[narrowKey{r.Column(2).Data(), false}].u16 == nil {
		t.Fatalf("narrow copies %v, want key, a (uint8) and b (uint16)", len(enc.nc))
	}
}
