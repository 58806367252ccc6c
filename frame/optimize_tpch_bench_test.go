package frame

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TPC-H-shaped benchmarks over generated data (go run ./examples/bench gen
// tpch -sf 1 -dir DIR), for profiling the engine; set GODASK_TPCH_DIR.

func tpchDir(b *testing.B) string {
	d := os.Getenv("GODASK_TPCH_DIR")
	if d == "" {
		b.Skip("GODASK_TPCH_DIR not set")
	}
	return d
}

func tpchQ3(dir string) *Frame {
	t := func(n string) *Frame { return ReadParquet(filepath.Join(dir, n+".parquet")) }
	c := t("customer").Filter(Col("c_mktsegment").Eq(Lit("BUILDING")))
	o := t("orders").Filter(Col("o_orderdate").Lt(Date(1995, 3, 15)))
	l := t("lineitem").Filter(Col("l_shipdate").Gt(Date(1995, 3, 15)))
	return l.Merge(o.Merge(c, MergeOptions{LeftOn: []string{"o_custkey"}, RightOn: []string{"c_custkey"}}),
		MergeOptions{LeftOn: []string{"l_orderkey"}, RightOn: []string{"o_orderkey"}}).
		WithColumn("rev", Col("l_extendedprice").Mul(Lit(1.0).Sub(Col("l_discount")))).
		GroupBy("l_orderkey", "o_orderdate", "o_shippriority").Agg(Col("rev").Sum().Alias("revenue")).
		SortBy(Desc("revenue"), Asc("o_orderdate")).Limit(10)
}

func tpchQ1(dir string) *Frame {
	l := ReadParquet(filepath.Join(dir, "lineitem.parquet")).Filter(Col("l_shipdate").Le(Date(1998, 9, 2)))
	disc := Col("l_extendedprice").Mul(Lit(1.0).Sub(Col("l_discount")))
	return l.GroupBy("l_returnflag", "l_linestatus").Agg(
		Col("l_quantity").Sum().Alias("sum_qty"), Col("l_extendedprice").Sum().Alias("sum_base_price"),
		disc.Sum().Alias("sum_disc_price"), disc.Mul(Lit(1.0).Add(Col("l_tax"))).Sum().Alias("sum_charge"),
		Col("l_quantity").Mean().Alias("avg_qty"), Col("l_extendedprice").Mean().Alias("avg_price"),
		Col("l_discount").Mean().Alias("avg_disc"), Lit(1).Size().Alias("count_order")).
		SortBy(Asc("l_returnflag"), Asc("l_linestatus"))
}

func benchQuery(b *testing.B, q func(string) *Frame) {
	dir := tpchDir(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		if _, err := q(dir).Compute(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTPCHQ1(b *testing.B) { benchQuery(b, tpchQ1) }
func BenchmarkTPCHQ3(b *testing.B) { benchQuery(b, tpchQ3) }
