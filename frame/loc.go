package frame

import "fmt"

// Loc selects rows by a boolean expression and, optionally, columns by name:
// pandas' df.loc[cond, cols] where cond is a boolean mask. It is Filter then
// SelectCols on the same plan, so the filter and the column selection are
// pushed into the reader (a Parquet read prunes row groups and decodes only
// the columns used). With no cols every column is kept; null in cond counts
// as false.
//
// Selection by index ranges (df.loc["2016-01":"2016-03"]) is LocRange, on a
// frame with an index (SetIndex).
func (f *Frame) Loc(cond Expr, cols ...string) *Frame {
	if f.err != nil {
		return f
	}
	if cond.n == nil {
		return errFrame(fmt.Errorf("frame: Loc: invalid (zero) condition"))
	}
	out := f.Filter(cond)
	if out.err != nil || len(cols) == 0 {
		return out
	}
	if _, err := fieldIndices(f.n.schema, cols); err != nil {
		return errFrame(fmt.Errorf("frame: Loc: %w", err))
	}
	return out.SelectCols(cols...)
}
