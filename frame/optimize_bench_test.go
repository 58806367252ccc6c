package frame

import (
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	pqio "github.com/godask/godask/io/parquet"
)

// lineitemLike writes a Parquet file shaped like TPC-H's lineitem (keys,
// money as doubles, flags as short strings, dates as timestamps) of rows
// rows in row groups of 122,880, into dir, unless it is already there.
// GODASK_BENCH_DIR keeps it between runs.
func lineitemLike(tb testing.TB, rows int) string {
	tb.Helper()
	dir := os.Getenv("GODASK_BENCH_DIR")
	if dir == "" {
		dir = tb.TempDir()
	}
	path := filepath.Join(dir, "lineitem-like.parquet")
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return path
	}
	rng := rand.New(rand.NewSource(1))
	const rg = 122880
	var recs []arrow.Record
	base := time.Date(1992, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for at := 0; at < rows; at += rg {
		n := min(rg, rows-at)
		ok, pk, sk := make([]int64, n), make([]int64, n), make([]int64, n)
		qty, price, disc, tax := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		ship := make([]int64, n)
		rf, ls := newStrBuilder(n), newStrBuilder(n)
		for i := 0; i < n; i++ {
			ok[i] = int64((at + i) / 4)
			pk[i] = rng.Int63n(200000)
			sk[i] = rng.Int63n(10000)
			qty[i] = float64(1 + rng.Intn(50))
			price[i] = qty[i] * (900 + float64(rng.Intn(100000))/100)
			disc[i] = float64(rng.Intn(11)) / 100
			tax[i] = float64(rng.Intn(9)) / 100
			ship[i] = base + int64(rng.Intn(2526))*86400e6
			rf.add([]byte{"ANR"[rng.Intn(3)]})
			ls.add([]byte{"FO"[rng.Intn(2)]})
		}
		sch := arrow.NewSchema([]arrow.Field{
			{Name: "l_orderkey", Type: Int64}, {Name: "l_partkey", Type: Int64}, {Name: "l_suppkey", Type: Int64},
			{Name: "l_quantity", Type: Float64}, {Name: "l_extendedprice", Type: Float64}, {Name: "l_discount", Type: Float64},
			{Name: "l_tax", Type: Float64}, {Name: "l_returnflag", Type: String}, {Name: "l_linestatus", Type: String},
			{Name: "l_shipdate", Type: Timestamp},
		}, nil)
		recs = append(recs, array.NewRecord(sch, []arrow.Array{int64Array(ok, nil), int64Array(pk, nil), int64Array(sk, nil),
			float64Array(qty, nil), float64Array(price, nil), float64Array(disc, nil), float64Array(tax, nil),
			rf.array(), ls.array(), timeArray(ship, nil)}, int64(n)))
	}
	if err := pqio.Write(path, recs, pqio.WriteOptions{RowGroupRows: rg}); err != nil {
		tb.Fatal(err)
	}
	return path
}

// q6Like is TPC-H q6's shape: a date range and two ranges, one product sum.
func q6Like(path string) *Frame {
	lo := time.Date(1994, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)
	return ReadParquet(path).
		Filter(Col("l_shipdate").Ge(Lit(lo)).And(Col("l_shipdate").Lt(Lit(hi))).
			And(Col("l_discount").Ge(Lit(0.05))).And(Col("l_discount").Le(Lit(0.07))).And(Col("l_quantity").Lt(Lit(24.0)))).
		Agg(Col("l_extendedprice").Mul(Col("l_discount")).Sum().Alias("revenue"))
}

// BenchmarkParquetQ6 is a q6-shaped query over a 1.2M-row lineitem-like
// file (GODASK_BENCH_ROWS to change the size).
func BenchmarkParquetQ6(b *testing.B) {
	path := lineitemLike(b, benchRows())
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := q6Like(path).Compute(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRows() int {
	if s := os.Getenv("GODASK_BENCH_ROWS"); s != "" {
		var n int
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	return 1200000
}
