package frame

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestListKeysRefused: pandas 1.5.3 refuses a list column as a group key
// (df.groupby(df.s.str.split(",")).size() raises "TypeError: unhashable
// type: 'list'"); every keyed operation here refuses it with an error
// naming the column and the way out, and the same frame grouped by an
// element (ListGet) or exploded still works.
func TestListKeysRefused(t *testing.T) {
	ctx := context.Background()
	f := FromRecords(strRecord([]string{"a,b", "c", "a,b", "", "x"}, []bool{false, false, false, false, true})).SplitList("s", ",", -1, "l")
	cases := map[string]*Frame{
		"GroupBy.Count":  f.GroupBy("l").Count("s"),
		"GroupBy.Agg":    f.GroupBy("s", "l").Agg(Col("s").Count()),
		"ValueCounts":    f.ValueCounts("l"),
		"DropDuplicates": f.DropDuplicates("l"),
		"NLargest":       f.GroupBy("l").NLargest(1, "s"),
		"Merge":          f.Merge(f, MergeOptions{On: []string{"l"}}),
	}
	for name, g := range cases {
		_, err := g.Compute(ctx, opts()...)
		if err == nil {
			t.Fatalf("%s by a list column: no error", name)
		}
		for _, want := range []string{`"l"`, "list column", "ListGet", "Explode"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("%s: error %q does not say %s", name, err, want)
			}
		}
	}
	// The ways out work (pandas: df.s.str.split(",").str.get(0).value_counts()
	// gives a 2, c 1, "" 1; explode().value_counts() a 2, b 2, c 1, "" 1).
	for name, g := range map[string]*Frame{
		"ListGet": f.ListGet("l", 0, "k").ValueCounts("k"),
		"Explode": f.Explode("l").Select(Col("l").Alias("k")).ValueCounts("k"),
	} {
		tab, err := g.Compute(ctx, opts()...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := map[string]int64{}
		ks, _ := tab.Strings("k")
		for i := range ks {
			if tab.Value(i, "k") != nil {
				got[ks[i]] = tab.Value(i, "count").(int64)
			}
		}
		want := map[string]int64{"a": 2, "c": 1, "": 1}
		if name == "Explode" {
			want["b"] = 2
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: got %v, pandas %v\n%s", name, got, want, tab)
		}
	}
}
