package frame

import (
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// memColumns is the step a memory source (FromRecords, a persisted frame)
// starts its pipe with when the query uses only some of its columns: the
// columns cols reads and pred tests, in schema order, taken without a copy.
// A filter after it then copies only those columns, not the whole table
// (issue #11: a 16-column persisted lineitem filtered and summed on one
// column copied all 16). It returns no step when every column is needed.
func memColumns(sch *arrow.Schema, cols []string, pred *enode) []step {
	if cols == nil {
		return nil
	}
	want := map[string]bool{}
	for _, c := range cols {
		want[c] = true
	}
	if pred != nil {
		pred.cols(want)
	}
	var keep []string
	for _, fl := range sch.Fields() {
		if want[fl.Name] {
			keep = append(keep, fl.Name)
		}
	}
	if len(keep) == sch.NumFields() || len(keep) == 0 {
		return nil
	}
	return []step{{kind: "cols", names: keep}}
}

// selectColumns keeps the named columns of r, sharing their buffers.
func selectColumns(r arrow.Record, names []string) (arrow.Record, error) {
	idx, err := fieldIndices(r.Schema(), names)
	if err != nil {
		return nil, fmt.Errorf("select columns: %w", err)
	}
	fields := make([]arrow.Field, len(idx))
	arrs := make([]arrow.Array, len(idx))
	for i, j := range idx {
		fields[i], arrs[i] = r.Schema().Field(j), r.Column(j)
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, r.NumRows()), nil
}
