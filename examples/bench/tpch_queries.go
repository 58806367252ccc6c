package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/godask/godask/frame"
)

// tpchQuery builds one TPC-H query over the tables of db.
type tpchQuery func(db *tpchDB) *frame.Frame

// The 22 queries of TPC-H with the specification's validation parameters,
// written as an analyst would on the frame API: the SQL of each is in
// peers/tpch_duckdb.mjs (the same text as shared/peers/tpch_duckdb.mjs).
// Conditions on one table are written on that table before its joins;
// correlated subqueries become a groupby joined back, EXISTS a semi join,
// NOT EXISTS / NOT IN an anti join, scalar subqueries frame.ScalarOf.
var tpchQueries = map[string]tpchQuery{
	"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5, "q6": q6, "q7": q7, "q8": q8, "q9": q9, "q10": q10, "q11": q11,
	"q12": q12, "q13": q13, "q14": q14, "q15": q15, "q16": q16, "q17": q17, "q18": q18, "q19": q19, "q20": q20, "q21": q21, "q22": q22,
}

// tpchNames is q1..q22 in order.
func tpchNames() []string {
	var out []string
	for k := range tpchQueries {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(strings.TrimPrefix(out[i], "q"))
		b, _ := strconv.Atoi(strings.TrimPrefix(out[j], "q"))
		return a < b
	})
	return out
}

var (
	col   = frame.Col
	lit   = frame.Lit
	asc   = frame.Asc
	desc  = frame.Desc
	inner = frame.Inner
	semi  = frame.Semi
	anti  = frame.Anti
)

// day is the date literal "YYYY-MM-DD".
func day(s string) frame.Expr {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(fmt.Sprintf("tpch: bad date literal %q", s))
	}
	return frame.Date(t.Year(), int(t.Month()), t.Day())
}

// between is lo <= e <= hi.
func between(e, lo, hi frame.Expr) frame.Expr { return e.Ge(lo).And(e.Le(hi)) }

// revenue is l_extendedprice * (1 - l_discount).
func revenue() frame.Expr { return col("l_extendedprice").Mul(lit(1.0).Sub(col("l_discount"))) }

func q1(db *tpchDB) *frame.Frame {
	qty, price, disc, tax := col("l_quantity"), col("l_extendedprice"), col("l_discount"), col("l_tax")
	return db.lineitem.Filter(col("l_shipdate").Le(frame.Date(1998, 12, 1).AddDays(-90))).
		WithColumn("disc_price", revenue()).
		WithColumn("charge", col("disc_price").Mul(lit(1.0).Add(tax))).
		GroupBy("l_returnflag", "l_linestatus").
		Agg(qty.Sum().Alias("sum_qty"), price.Sum().Alias("sum_base_price"), col("disc_price").Sum().Alias("sum_disc_price"),
			col("charge").Sum().Alias("sum_charge"), qty.Mean().Alias("avg_qty"), price.Mean().Alias("avg_price"),
			disc.Mean().Alias("avg_disc"), frame.Count().Alias("count_order")).
		SortBy(asc("l_returnflag"), asc("l_linestatus"))
}

// regionSuppliers are the suppliers of a region with their nation's name.
func regionNations(db *tpchDB, region string) *frame.Frame {
	return db.nation.JoinOn(db.region.Filter(col("r_name").Eq(lit(region))), semi, "n_regionkey=r_regionkey")
}

func q2(db *tpchDB) *frame.Frame {
	supp := db.supplier.JoinOn(regionNations(db, "EUROPE").SelectCols("n_nationkey", "n_name"), inner, "s_nationkey=n_nationkey")
	ps := db.partsupp.JoinOn(supp, inner, "ps_suppkey=s_suppkey")
	minCost := ps.GroupBy("ps_partkey").Agg(col("ps_supplycost").Min().Alias("min_cost"))
	parts := db.part.Filter(col("p_size").Eq(lit(15)).And(col("p_type").EndsWith("BRASS")))
	return parts.JoinOn(ps, inner, "p_partkey=ps_partkey").
		JoinOn(minCost, inner, "ps_partkey").
		Filter(col("ps_supplycost").Eq(col("min_cost"))).
		SelectCols("s_acctbal", "s_name", "n_name", "p_partkey", "p_mfgr", "s_address", "s_phone", "s_comment").
		SortBy(desc("s_acctbal"), asc("n_name"), asc("s_name"), asc("p_partkey")).Limit(100)
}

func q3(db *tpchDB) *frame.Frame {
	cust := db.customer.Filter(col("c_mktsegment").Eq(lit("BUILDING")))
	ord := db.orders.Filter(col("o_orderdate").Lt(day("1995-03-15"))).JoinOn(cust, semi, "o_custkey=c_custkey")
	return db.lineitem.Filter(col("l_shipdate").Gt(day("1995-03-15"))).
		JoinOn(ord, inner, "l_orderkey=o_orderkey").
		WithColumn("rev", revenue()).
		GroupBy("l_orderkey", "o_orderdate", "o_shippriority").Agg(col("rev").Sum().Alias("revenue")).
		SelectCols("l_orderkey", "revenue", "o_orderdate", "o_shippriority").
		SortBy(desc("revenue"), asc("o_orderdate")).Limit(10)
}

func q4(db *tpchDB) *frame.Frame {
	late := db.lineitem.Filter(col("l_commitdate").Lt(col("l_receiptdate")))
	return db.orders.Filter(col("o_orderdate").Ge(day("1993-07-01")).And(col("o_orderdate").Lt(day("1993-10-01")))).
		JoinOn(late, semi, "o_orderkey=l_orderkey").
		GroupBy("o_orderpriority").Agg(frame.Count().Alias("order_count")).
		SortBy(asc("o_orderpriority"))
}

func q5(db *tpchDB) *frame.Frame {
	nat := regionNations(db, "ASIA").SelectCols("n_nationkey", "n_name")
	cust := db.customer.JoinOn(nat, inner, "c_nationkey=n_nationkey")
	ord := db.orders.Filter(col("o_orderdate").Ge(day("1994-01-01")).And(col("o_orderdate").Lt(day("1995-01-01")))).
		JoinOn(cust, inner, "o_custkey=c_custkey")
	return db.lineitem.JoinOn(ord, inner, "l_orderkey=o_orderkey").
		JoinOn(db.supplier, inner, "l_suppkey=s_suppkey", "c_nationkey=s_nationkey").
		WithColumn("rev", revenue()).
		GroupBy("n_name").Agg(col("rev").Sum().Alias("revenue")).
		SortBy(desc("revenue"))
}

func q6(db *tpchDB) *frame.Frame {
	return db.lineitem.Filter(col("l_shipdate").Ge(day("1994-01-01")).And(col("l_shipdate").Lt(day("1995-01-01"))).
		And(between(col("l_discount"), lit(0.05), lit(0.07))).And(col("l_quantity").Lt(lit(24.0)))).
		WithColumn("r", col("l_extendedprice").Mul(col("l_discount"))).
		Agg(col("r").Sum().Alias("revenue"))
}

// nationNamed is nation's key and name (of the given names; all without),
// renamed.
func nationNamed(db *tpchDB, key, name string, names ...any) *frame.Frame {
	n := db.nation
	if len(names) > 0 {
		n = n.Filter(col("n_name").IsIn(names...))
	}
	return n.SelectCols("n_nationkey", "n_name").Rename(map[string]string{"n_nationkey": key, "n_name": name})
}

func q7(db *tpchDB) *frame.Frame {
	supp := db.supplier.JoinOn(nationNamed(db, "sn", "supp_nation", "FRANCE", "GERMANY"), inner, "s_nationkey=sn")
	cust := db.customer.JoinOn(nationNamed(db, "cn", "cust_nation", "FRANCE", "GERMANY"), inner, "c_nationkey=cn")
	ord := db.orders.JoinOn(cust, inner, "o_custkey=c_custkey")
	fr, de := lit("FRANCE"), lit("GERMANY")
	return db.lineitem.Filter(between(col("l_shipdate"), day("1995-01-01"), day("1996-12-31"))).
		JoinOn(supp, inner, "l_suppkey=s_suppkey").
		JoinOn(ord, inner, "l_orderkey=o_orderkey").
		Filter(col("supp_nation").Eq(fr).And(col("cust_nation").Eq(de)).Or(col("supp_nation").Eq(de).And(col("cust_nation").Eq(fr)))).
		WithColumn("l_year", col("l_shipdate").Year()).
		WithColumn("volume", revenue()).
		GroupBy("supp_nation", "cust_nation", "l_year").Agg(col("volume").Sum().Alias("revenue")).
		SortBy(asc("supp_nation"), asc("cust_nation"), asc("l_year"))
}

func q8(db *tpchDB) *frame.Frame {
	cust := db.customer.JoinOn(regionNations(db, "AMERICA"), semi, "c_nationkey=n_nationkey")
	ord := db.orders.Filter(between(col("o_orderdate"), day("1995-01-01"), day("1996-12-31"))).
		JoinOn(cust, semi, "o_custkey=c_custkey")
	supp := db.supplier.JoinOn(nationNamed(db, "sn", "nation"), inner, "s_nationkey=sn")
	part := db.part.Filter(col("p_type").Eq(lit("ECONOMY ANODIZED STEEL")))
	return db.lineitem.JoinOn(part, semi, "l_partkey=p_partkey").
		JoinOn(ord, inner, "l_orderkey=o_orderkey").
		JoinOn(supp, inner, "l_suppkey=s_suppkey").
		WithColumn("o_year", col("o_orderdate").Year()).
		WithColumn("volume", revenue()).
		WithColumn("brazil", frame.When(col("nation").Eq(lit("BRAZIL"))).Then(col("volume")).Otherwise(lit(0.0))).
		GroupBy("o_year").Agg(col("brazil").Sum().Div(col("volume").Sum()).Alias("mkt_share")).
		SortBy(asc("o_year"))
}

func q9(db *tpchDB) *frame.Frame {
	part := db.part.Filter(col("p_name").Contains("green"))
	supp := db.supplier.JoinOn(nationNamed(db, "sn", "nation"), inner, "s_nationkey=sn")
	return db.lineitem.JoinOn(part, semi, "l_partkey=p_partkey").
		JoinOn(db.partsupp, inner, "l_partkey=ps_partkey", "l_suppkey=ps_suppkey").
		JoinOn(supp, inner, "l_suppkey=s_suppkey").
		JoinOn(db.orders, inner, "l_orderkey=o_orderkey").
		WithColumn("o_year", col("o_orderdate").Year()).
		WithColumn("amount", revenue().Sub(col("ps_supplycost").Mul(col("l_quantity")))).
		GroupBy("nation", "o_year").Agg(col("amount").Sum().Alias("sum_profit")).
		SortBy(asc("nation"), desc("o_year"))
}

func q10(db *tpchDB) *frame.Frame {
	ord := db.orders.Filter(col("o_orderdate").Ge(day("1993-10-01")).And(col("o_orderdate").Lt(day("1994-01-01"))))
	rev := db.lineitem.Filter(col("l_returnflag").Eq(lit("R"))).
		JoinOn(ord, inner, "l_orderkey=o_orderkey").
		WithColumn("rev", revenue()).
		GroupBy("o_custkey").Agg(col("rev").Sum().Alias("revenue"))
	return db.customer.JoinOn(rev, inner, "c_custkey=o_custkey").
		JoinOn(db.nation, inner, "c_nationkey=n_nationkey").
		SelectCols("c_custkey", "c_name", "revenue", "c_acctbal", "n_name", "c_address", "c_phone", "c_comment").
		SortBy(desc("revenue")).Limit(20)
}

func q11(db *tpchDB) *frame.Frame {
	supp := db.supplier.JoinOn(nationNamed(db, "sn", "nation", "GERMANY"), semi, "s_nationkey=sn")
	ps := db.partsupp.JoinOn(supp, semi, "ps_suppkey=s_suppkey").
		WithColumn("v", col("ps_supplycost").Mul(col("ps_availqty")))
	total := ps.Agg(col("v").Sum().Mul(lit(0.0001 / db.sf)).Alias("threshold"))
	return ps.GroupBy("ps_partkey").Agg(col("v").Sum().Alias("value")).
		Filter(col("value").Gt(frame.ScalarOf(total, "threshold"))).
		SortBy(desc("value"))
}

func q12(db *tpchDB) *frame.Frame {
	rd := col("l_receiptdate")
	li := db.lineitem.Filter(col("l_shipmode").IsIn("MAIL", "SHIP").And(col("l_commitdate").Lt(rd)).
		And(col("l_shipdate").Lt(col("l_commitdate"))).And(rd.Ge(day("1994-01-01"))).And(rd.Lt(day("1995-01-01"))))
	high := col("o_orderpriority").IsIn("1-URGENT", "2-HIGH")
	return li.JoinOn(db.orders, inner, "l_orderkey=o_orderkey").
		WithColumn("high", frame.When(high).Then(lit(1)).Otherwise(lit(0))).
		WithColumn("low", frame.When(high).Then(lit(0)).Otherwise(lit(1))).
		GroupBy("l_shipmode").Agg(col("high").Sum().Alias("high_line_count"), col("low").Sum().Alias("low_line_count")).
		SortBy(asc("l_shipmode"))
}

func q13(db *tpchDB) *frame.Frame {
	ord := db.orders.Filter(col("o_comment").Like("%special%requests%").Not())
	return db.customer.SelectCols("c_custkey").
		JoinOn(ord.SelectCols("o_custkey", "o_orderkey"), frame.Left, "c_custkey=o_custkey").
		GroupBy("c_custkey").Agg(col("o_orderkey").Count().Alias("c_count")).
		GroupBy("c_count").Agg(frame.Count().Alias("custdist")).
		SortBy(desc("custdist"), desc("c_count"))
}

func q14(db *tpchDB) *frame.Frame {
	return db.lineitem.Filter(col("l_shipdate").Ge(day("1995-09-01")).And(col("l_shipdate").Lt(day("1995-10-01")))).
		JoinOn(db.part, inner, "l_partkey=p_partkey").
		WithColumn("rev", revenue()).
		WithColumn("promo", frame.When(col("p_type").StartsWith("PROMO")).Then(col("rev")).Otherwise(lit(0.0))).
		Agg(lit(100.0).Mul(col("promo").Sum()).Div(col("rev").Sum()).Alias("promo_revenue"))
}

func q15(db *tpchDB) *frame.Frame {
	rev := db.lineitem.Filter(col("l_shipdate").Ge(day("1996-01-01")).And(col("l_shipdate").Lt(day("1996-04-01")))).
		WithColumn("rev", revenue()).
		GroupBy("l_suppkey").Agg(col("rev").Sum().Alias("total_revenue"))
	top := rev.Agg(col("total_revenue").Max().Alias("m"))
	best := rev.Filter(col("total_revenue").Eq(frame.ScalarOf(top, "m")))
	return db.supplier.JoinOn(best, inner, "s_suppkey=l_suppkey").
		SelectCols("s_suppkey", "s_name", "s_address", "s_phone", "total_revenue").
		SortBy(asc("s_suppkey"))
}

func q16(db *tpchDB) *frame.Frame {
	part := db.part.Filter(col("p_brand").Ne(lit("Brand#45")).And(col("p_type").StartsWith("MEDIUM POLISHED").Not()).
		And(col("p_size").IsIn(49, 14, 23, 45, 19, 3, 36, 9)))
	complaints := db.supplier.Filter(col("s_comment").Like("%Customer%Complaints%"))
	return db.partsupp.JoinOn(complaints, anti, "ps_suppkey=s_suppkey").
		JoinOn(part, inner, "ps_partkey=p_partkey").
		GroupBy("p_brand", "p_type", "p_size").Agg(col("ps_suppkey").NUnique().Alias("supplier_cnt")).
		SortBy(desc("supplier_cnt"), asc("p_brand"), asc("p_type"), asc("p_size"))
}

func q17(db *tpchDB) *frame.Frame {
	part := db.part.Filter(col("p_brand").Eq(lit("Brand#23")).And(col("p_container").Eq(lit("MED BOX"))))
	li := db.lineitem.JoinOn(part, semi, "l_partkey=p_partkey")
	avg := li.GroupBy("l_partkey").Agg(col("l_quantity").Mean().Mul(lit(0.2)).Alias("limit_qty"))
	return li.JoinOn(avg, inner, "l_partkey").
		Filter(col("l_quantity").Lt(col("limit_qty"))).
		Agg(col("l_extendedprice").Sum().MinCount(1).Div(lit(7.0)).Alias("avg_yearly")) // SQL's SUM of nothing is NULL
}

func q18(db *tpchDB) *frame.Frame {
	big := db.lineitem.GroupBy("l_orderkey").Agg(col("l_quantity").Sum().Alias("sum_qty")).
		Filter(col("sum_qty").Gt(lit(300.0)))
	return db.orders.JoinOn(big, inner, "o_orderkey=l_orderkey").
		JoinOn(db.customer, inner, "o_custkey=c_custkey").
		SelectCols("c_name", "c_custkey", "o_orderkey", "o_orderdate", "o_totalprice", "sum_qty").
		SortBy(desc("o_totalprice"), asc("o_orderdate")).Limit(100)
}

func q19(db *tpchDB) *frame.Frame {
	li := db.lineitem.Filter(col("l_shipmode").IsIn("AIR", "AIR REG").And(col("l_shipinstruct").Eq(lit("DELIVER IN PERSON"))))
	br, ct, q, sz := col("p_brand"), col("p_container"), col("l_quantity"), col("p_size")
	cond := func(brand string, lo, hi float64, maxSize int, containers ...any) frame.Expr {
		return br.Eq(lit(brand)).And(ct.IsIn(containers...)).And(between(q, lit(lo), lit(hi))).And(between(sz, lit(1), lit(maxSize)))
	}
	return li.JoinOn(db.part, inner, "l_partkey=p_partkey").
		Filter(cond("Brand#12", 1, 11, 5, "SM CASE", "SM BOX", "SM PACK", "SM PKG").
			Or(cond("Brand#23", 10, 20, 10, "MED BAG", "MED BOX", "MED PKG", "MED PACK")).
			Or(cond("Brand#34", 20, 30, 15, "LG CASE", "LG BOX", "LG PACK", "LG PKG"))).
		WithColumn("rev", revenue()).
		Agg(col("rev").Sum().Alias("revenue"))
}

func q20(db *tpchDB) *frame.Frame {
	forest := db.part.Filter(col("p_name").StartsWith("forest"))
	shipped := db.lineitem.Filter(col("l_shipdate").Ge(day("1994-01-01")).And(col("l_shipdate").Lt(day("1995-01-01")))).
		JoinOn(forest, semi, "l_partkey=p_partkey").
		GroupBy("l_partkey", "l_suppkey").Agg(col("l_quantity").Sum().Mul(lit(0.5)).Alias("half_qty"))
	ps := db.partsupp.JoinOn(forest, semi, "ps_partkey=p_partkey").
		JoinOn(shipped, inner, "ps_partkey=l_partkey", "ps_suppkey=l_suppkey").
		Filter(col("ps_availqty").Gt(col("half_qty")))
	return db.supplier.JoinOn(nationNamed(db, "sn", "nation", "CANADA"), semi, "s_nationkey=sn").
		JoinOn(ps, semi, "s_suppkey=ps_suppkey").
		SelectCols("s_name", "s_address").
		SortBy(asc("s_name"))
}

func q21(db *tpchDB) *frame.Frame {
	supp := db.supplier.JoinOn(nationNamed(db, "sn", "nation", "SAUDI ARABIA"), semi, "s_nationkey=sn")
	late := db.lineitem.Filter(col("l_receiptdate").Gt(col("l_commitdate")))
	l1 := late.JoinOn(supp, inner, "l_suppkey=s_suppkey").
		JoinOn(db.orders.Filter(col("o_orderstatus").Eq(lit("F"))), semi, "l_orderkey=o_orderkey")
	others := db.lineitem.SelectCols("l_orderkey", "l_suppkey").Rename(map[string]string{"l_orderkey": "l2_orderkey", "l_suppkey": "l2_suppkey"})
	lateOthers := late.SelectCols("l_orderkey", "l_suppkey").Rename(map[string]string{"l_orderkey": "l3_orderkey", "l_suppkey": "l3_suppkey"})
	return l1.Merge(others, frame.MergeOptions{How: semi, LeftOn: []string{"l_orderkey"}, RightOn: []string{"l2_orderkey"},
		Where: col("l2_suppkey").Ne(col("l_suppkey"))}).
		Merge(lateOthers, frame.MergeOptions{How: anti, LeftOn: []string{"l_orderkey"}, RightOn: []string{"l3_orderkey"},
			Where: col("l3_suppkey").Ne(col("l_suppkey"))}).
		GroupBy("s_name").Agg(frame.Count().Alias("numwait")).
		SortBy(desc("numwait"), asc("s_name")).Limit(100)
}

func q22(db *tpchDB) *frame.Frame {
	codes := []any{"13", "31", "23", "29", "30", "18", "17"}
	cust := db.customer.WithColumn("cntrycode", col("c_phone").Substr(1, 2)).Filter(col("cntrycode").IsIn(codes...))
	avg := cust.Filter(col("c_acctbal").Gt(lit(0.0))).Agg(col("c_acctbal").Mean().Alias("avg_bal"))
	return cust.Filter(col("c_acctbal").Gt(frame.ScalarOf(avg, "avg_bal"))).
		JoinOn(db.orders, anti, "c_custkey=o_custkey").
		GroupBy("cntrycode").Agg(frame.Count().Alias("numcust"), col("c_acctbal").Sum().Alias("totacctbal")).
		SortBy(asc("cntrycode"))
}
