package frame

import "fmt"

// MinCount makes the aggregation e null for a group (or frame) with fewer
// than n non-null values of the column it aggregates: pandas' min_count.
// Without it a sum over no values is 0, as in pandas (SQL's SUM gives
// NULL: Col("v").Sum().MinCount(1) is that). e must be one aggregation of
// a column or expression, such as Col("v").Sum(); n < 1 leaves it as it is.
func (e Expr) MinCount(n int) Expr {
	if e.n == nil || !aggOps[e.n.op] || len(e.n.args) != 1 || e.n.args[0].hasAgg() {
		// An invalid literal under an aggregation: Agg reports it, naming e.
		bad := Expr{&enode{op: "lit", lit: litVal{k: kInvalid, s: fmt.Sprintf("%s.MinCount: MinCount applies to one aggregation such as Col(\"v\").Sum()", e)}}}
		return bad.Sum()
	}
	if n < 1 {
		return e
	}
	arg := Expr{e.n.args[0]}
	return When(arg.Count().Ge(Lit(n))).Then(e).Otherwise(Lit(nil))
}
