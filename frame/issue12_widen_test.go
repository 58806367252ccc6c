package frame

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 12: inference that sees int64 in a file's head and float or string
// later in the same file widens (windows spread through the file by
// default, every row with SampleRows < 0) instead of failing the read.
func TestIssue12WidenWithinOneFile(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(5))
	const n = 60000 // about 1 MB: past the head sample
	var csvB, jsonB strings.Builder
	csvB.WriteString("k,v,s,u\n")
	var sumV float64
	for i := 0; i < n; i++ {
		v := fmt.Sprint(rng.Intn(1000))
		s := fmt.Sprint(i)
		u := fmt.Sprint(rng.Intn(9))
		switch {
		case i >= n*6/10 && i%500 == 0:
			v = fmt.Sprintf("%d.5", rng.Intn(1000)) // float from 60% on
		case i == n-3:
			s = "Zoë" // string near the end
		case i == n/2:
			u = "" // a null in the middle
		}
		var f float64
		fmt.Sscan(v, &f)
		sumV += f
		fmt.Fprintf(&csvB, "%d,%s,%s,%s\n", i%7, v, s, u)
		sj := s // a JSON number, until the string
		if s == "Zoë" {
			sj = `"Zoë"`
		}
		fmt.Fprintf(&jsonB, `{"k": %d, "v": %s, "s": %s}`+"\n", i%7, v, sj)
	}
	cp := filepath.Join(dir, "w.csv")
	jp := filepath.Join(dir, "w.jsonl")
	writeAt(t, cp, csvB.String())
	writeAt(t, jp, jsonB.String())
	check := func(what string, f *Frame) {
		t.Helper()
		if f.Err() != nil {
			t.Fatalf("%s: %v", what, f.Err())
		}
		dt := map[string]string{}
		for _, d := range f.Dtypes() {
			dt[d.Name] = d.Type.String()
		}
		if dt["v"] != "float64" || dt["s"] != "utf8" || dt["k"] != "int64" {
			t.Fatalf("%s: dtypes %v", what, f.Dtypes())
		}
		got := compute(t, f.Sum("v"))
		if g := got.Value(0, "v").(float64); g != sumV {
			t.Fatalf("%s: sum v = %v, want %v", what, g, sumV)
		}
		tab := compute(t, f.Filter(Col("s").Eq(Lit("Zoë"))))
		if tab.NumRows() != 1 {
			t.Fatalf("%s: %d rows with s = Zoë", what, tab.NumRows())
		}
	}
	check("csv default", ReadCSV(cp, CSVOptions{BlockSize: 200 << 10}))
	check("csv all rows", ReadCSV(cp, CSVOptions{SampleRows: -1, BlockSize: 200 << 10}))
	check("json default", ReadJSON(jp, JSONOptions{BlockSize: 200 << 10}))
	check("json all rows", ReadJSON(jp, JSONOptions{SampleRows: -1}))
	if dt := ReadCSV(cp).Dtypes(); dt[3].Type.String() != "int64" {
		t.Fatalf("u: %v", dt)
	}

	// One float among 10⁵ rows, past every window: the default can miss it
	// (the error names the Types fix); SampleRows -1 cannot.
	var b strings.Builder
	b.WriteString("k,v\n")
	for i := 0; i < 100000; i++ {
		if i == 77777 {
			b.WriteString("1,2.25\n")
			continue
		}
		b.WriteString("1,2\n")
	}
	p := filepath.Join(dir, "one.csv")
	writeAt(t, p, b.String())
	got := compute(t, ReadCSV(p, CSVOptions{SampleRows: -1}).Sum("v"))
	if g := got.Value(0, "v"); g != 2*99999+2.25 {
		t.Fatalf("all rows: sum %v", g)
	}
	if _, err := ReadCSV(p, CSVOptions{SampleRows: 10}).Compute(context.Background()); err == nil || !strings.Contains(err.Error(), "CSVFloat64") {
		t.Fatalf("head only: %v", err)
	}
}
