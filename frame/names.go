package frame

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
)

// Output column names.
//
// A frame never has two columns of one name. Select, WithColumn and the
// other projections refuse a duplicate at build time, naming it. An
// aggregation without an Alias is named after the column it aggregates
// ("v" for Col("v").Sum()); when several un-aliased aggregations of one
// GroupBy.Agg would get the same name, each of them is named
// column_function instead ("v_sum", "v_mean", "v_count", ...: the rule of
// pandas' flattened named aggregations). An aggregation whose name is a
// group key's (GroupBy("s").Count("s")), or two that still share a name
// (two aliases alike, Col("v").Sum() twice), are an error that asks for
// an Alias.

// aggFnName is the function an un-aliased aggregation expression is
// suffixed with: the first aggregation found down its first arguments.
func aggFnName(n *enode) string {
	for m := n; m != nil; {
		if aggOps[m.op] {
			return m.op
		}
		if len(m.args) == 0 {
			break
		}
		m = m.args[0]
	}
	return n.op
}

// aggOutNames names the outputs of aggs after keys by the rule above.
func aggOutNames(keys []string, aggs []Expr) ([]string, error) {
	names := make([]string, len(aggs))
	count := map[string]int{}
	for i, e := range aggs {
		names[i] = e.n.outName()
		count[names[i]]++
	}
	for i, e := range aggs {
		if e.n.op != "alias" && count[names[i]] > 1 {
			names[i] = names[i] + "_" + aggFnName(e.n)
		}
	}
	isKey := map[string]bool{}
	for _, k := range keys {
		isKey[k] = true
	}
	seen := map[string]int{}
	for i, nm := range names {
		if isKey[nm] {
			return nil, fmt.Errorf("aggregation %s is named %q, the name of a group key; give it another name with Alias", aggs[i], nm)
		}
		if j, ok := seen[nm]; ok {
			return nil, fmt.Errorf("aggregations %s and %s are both named %q; give one another name with Alias", aggs[j], aggs[i], nm)
		}
		seen[nm] = i
	}
	return names, nil
}

// checkUnique returns an error naming the first name that repeats.
func checkUnique(what string, names []string) error {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return fmt.Errorf("%s: column %q would appear twice (columns %s); rename one with Alias", what, n, strings.Join(names, ", "))
		}
		seen[n] = true
	}
	return nil
}

// DtypeList is the columns of a frame with their types, in column order.
type DtypeList []arrow.Field

// Of returns the type of the named column, or nil when there is none.
func (d DtypeList) Of(name string) arrow.DataType {
	for _, f := range d {
		if f.Name == name {
			return f.Type
		}
	}
	return nil
}

// String prints one column a line, name then type, as pandas prints dtypes.
func (d DtypeList) String() string {
	w := 0
	for _, f := range d {
		w = max(w, displayWidth(f.Name))
	}
	var b strings.Builder
	for i, f := range d {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.Name)
		b.WriteString(strings.Repeat(" ", w-displayWidth(f.Name)+2))
		b.WriteString(f.Type.String())
	}
	return b.String()
}
