package frame

// Tests for issue #14: bad input gets an error, never a panic or a
// PanicError; each failed before its fix.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/sched"
)

// noPanic fails when err is (or wraps) a panic turned into an error.
func noPanic(t *testing.T, what string, err error) {
	t.Helper()
	var pe *sched.PanicError
	if errors.As(err, &pe) {
		t.Fatalf("%s: a panic reached the caller: %v", what, err)
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCSVBadHeaderNames: empty header fields name their column by
// position ("c0", as with NoHeader) and repeats are made unique (DuckDB's
// "a_1"), so every query sees distinct names (",\n,0" was found by
// fuzzing).
func TestCSVBadHeaderNames(t *testing.T) {
	for _, c := range []struct{ body, cols, sum string }{
		{",\n,0\n,5\n", "[c0 c1]", "c1"},
		{"a,,b\n1,2,3\n4,5,6\n", "[a c1 b]", "c1"},
		{"a,b,a\n1,2,3\n4,5,6\n", "[a b a_1]", "a_1"},
	} {
		p := writeFile(t, "h.csv", c.body)
		f := ReadCSV(p)
		if f.Err() != nil {
			t.Fatal(f.Err())
		}
		if got := fmt.Sprint(f.Columns()); got != c.cols {
			t.Errorf("%q: columns %s, want %s", c.body, got, c.cols)
		}
		tab, err := f.Compute(context.Background())
		noPanic(t, c.body, err)
		if err != nil || tab.NumRows() != 2 {
			t.Fatalf("%q: %v %v", c.body, tab, err)
		}
		if _, err := f.Sum(c.sum).Compute(context.Background()); err != nil {
			t.Errorf("%q: sum(%s): %v", c.body, c.sum, err)
		}
	}
}

// TestNLargestNegative: n <= 0 keeps no rows, as pandas' nlargest (it used
// to panic in the top-n kernel).
func TestNLargestNegative(t *testing.T) {
	f := floatFrame(t, []int64{1, 2, 3}, []float64{1, 2, 3}, nil, 2, 1)
	for _, g := range []*Frame{f.NLargest(-1, "v"), f.NSmallest(-5, "v"), f.NLargest(0, "v")} {
		tab, err := g.Compute(context.Background())
		noPanic(t, "NLargest(-1)", err)
		if err != nil || tab.NumRows() != 0 {
			t.Errorf("%v %v", tab, err)
		}
	}
}

// TestCSVShrinksBeforeCompute: a file cut short between ReadCSV and Compute
// is an error naming the file, not a panic.
func TestCSVShrinksBeforeCompute(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := 0; i < 5000; i++ {
		b.WriteString("1,2.5\n")
	}
	p := writeFile(t, "s.csv", b.String())
	f := ReadCSV(p, CSVOptions{BlockSize: 4096})
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	for _, n := range []int64{7000, 100, 0} {
		if err := os.Truncate(p, n); err != nil {
			t.Fatal(err)
		}
		_, err := f.Sum("a").Compute(context.Background())
		noPanic(t, "shrunk file", err)
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("truncated to %d: err %v, want an error naming the file", n, err)
		}
	}
}

func init() {
	RegisterMap("reliab-nil", func(context.Context, arrow.Record) (arrow.Record, error) { return nil, nil })
	RegisterMap("reliab-rename", func(_ context.Context, r arrow.Record) (arrow.Record, error) {
		sch := arrow.NewSchema([]arrow.Field{{Name: "other", Type: r.Column(0).DataType(), Nullable: true}}, nil)
		r.Column(0).Retain()
		return array.NewRecord(sch, []arrow.Array{r.Column(0)}, r.NumRows()), nil
	})
	RegisterMap("reliab-same", func(_ context.Context, r arrow.Record) (arrow.Record, error) {
		r.Retain()
		return r, nil
	})
}

// TestMapPartitionsChecked: a map function returning (nil, nil), or a record
// whose schema is not the declared one, is an error naming the function.
func TestMapPartitionsChecked(t *testing.T) {
	f := floatFrame(t, []int64{1, 2, 3, 4}, []float64{1, 2, 3, 4}, nil, 2, 2)
	for _, c := range []struct {
		fn   string
		sch  *arrow.Schema
		want string
	}{
		{"reliab-nil", nil, "returned no record"},
		{"reliab-rename", arrow.NewSchema([]arrow.Field{{Name: "k", Type: Int64, Nullable: true}}, nil), `column 0 is "other" int64, declared "k" int64`},
		{"reliab-same", arrow.NewSchema([]arrow.Field{{Name: "k", Type: Float64, Nullable: true}, {Name: "v", Type: Float64, Nullable: true}}, nil), `column 0 is "k" int64, declared "k" float64`},
		{"reliab-same", arrow.NewSchema([]arrow.Field{{Name: "k", Type: Int64, Nullable: true}}, nil), "2 columns, declared 1"},
	} {
		for name, o := range execs(t) {
			_, err := f.MapPartitions(c.fn, c.sch).Compute(context.Background(), o...)
			noPanic(t, c.fn, err)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.fn) {
				t.Errorf("%s %s: err %v, want %q", name, c.fn, err, c.want)
			}
		}
	}
	tab, err := f.MapPartitions("reliab-same", nil).Compute(context.Background())
	if err != nil || tab.NumRows() != 4 {
		t.Fatalf("identity map: %v %v", tab, err)
	}
}
