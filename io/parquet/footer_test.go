package parquet

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

func intRecord(t *testing.T, name string, vals []int64) arrow.Record {
	t.Helper()
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues(vals, nil)
	sch := arrow.NewSchema([]arrow.Field{{Name: name, Type: arrow.PrimitiveTypes.Int64}, {Name: "w", Type: arrow.PrimitiveTypes.Int64}}, nil)
	a := b.NewArray()
	return array.NewRecord(sch, []arrow.Array{a, a}, int64(len(vals)))
}

// Issue #11 defect: every column-chunk read reopened the file and parsed
// its footer. Now the footer is parsed once (by Open at plan time) and
// reads of any column and row group share it; a rewritten file is parsed
// again.
func TestFooterParsedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.parquet")
	vals := make([]int64, 1000)
	for i := range vals {
		vals[i] = int64(i*i) - 500
	}
	if err := Write(path, []arrow.Record{intRecord(t, "v", vals)}, WriteOptions{RowGroupRows: 100}); err != nil {
		t.Fatal(err)
	}
	before := parses.Load()
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.RowGroups) != 10 {
		t.Fatalf("%d row groups", len(m.RowGroups))
	}
	for rg := 0; rg < 10; rg++ {
		for _, cols := range [][]string{{"v"}, {"w"}, {"w", "v"}} {
			r, err := ReadColumns(context.Background(), path, rg, cols)
			if err != nil {
				t.Fatal(err)
			}
			if r.NumRows() != 100 || int(r.NumCols()) != len(cols) {
				t.Fatalf("row group %d %v: %d rows %d cols", rg, cols, r.NumRows(), r.NumCols())
			}
			got := r.Column(len(cols) - 1).(*array.Int64).Int64Values()
			for i, x := range got {
				if x != vals[rg*100+i] {
					t.Fatalf("row group %d row %d: %d, want %d", rg, i, x, vals[rg*100+i])
				}
			}
		}
	}
	if n := parses.Load() - before; n != 1 {
		t.Fatalf("%d footer parses for one file, want 1", n)
	}
	// Rewritten with other contents (and a later mtime): parsed again, and
	// the new contents are read.
	if err := Write(path, []arrow.Record{intRecord(t, "v", vals[:50])}, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	os.Chtimes(path, later, later)
	r, err := ReadColumns(context.Background(), path, 0, []string{"v"})
	if err != nil || r.NumRows() != 50 {
		t.Fatalf("after rewrite: %v rows, %v", r, err)
	}
	if n := parses.Load() - before; n != 2 {
		t.Fatalf("%d footer parses after a rewrite, want 2", n)
	}
	// Bad input: a row group that is not there, a column that is not there.
	if _, err := ReadColumns(context.Background(), path, 3, []string{"v"}); err == nil {
		t.Fatal("row group 3 of a one-row-group file read")
	}
	if _, err := ReadColumns(context.Background(), path, 0, []string{"nope"}); err == nil {
		t.Fatal("missing column read")
	}
}
