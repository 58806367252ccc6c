package frame

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/frame/internal/window"
	"github.com/godask/godask/graph"
)

// winSpec is a window or scan over the rows in frame order.
type winSpec struct {
	fn   string // shift diff pct | rsum rmean rstd rvar rmin rmax rcount | cumsum cumprod cummax cummin cumcount
	what string // the user's call, for errors and Explain
	cols []string
	k    int64  // shift periods, rolling rows
	dur  int64  // rolling time window in microseconds (0: a count window)
	on   string // the timestamp column of a time window
	minp int64
}

func (w *winSpec) scan() bool { return strings.HasPrefix(w.fn, "cum") }

func (w *winSpec) describe() string {
	how := "overlap: tail of the previous partitions"
	switch {
	case w.scan():
		how = "carry scan: partition totals, prefix, fix-up"
	case w.fn == "shift" || w.fn == "diff" || w.fn == "pct":
		if w.k < 0 {
			how = "overlap: head of the next partitions"
		}
	}
	return fmt.Sprintf("%s [%s] (%s)", w.what, strings.Join(w.cols, ", "), how)
}

func (w *winSpec) parts(n *node) int { return partsOf(n.in) }

func (w *winSpec) need(out map[string]bool) map[string]bool {
	return needWith(out, append(append([]string(nil), w.cols...), w.on)...)
}

// outType is the type of a result column made from a column of type t.
func (w *winSpec) outType(t arrow.DataType) arrow.DataType {
	k := kindOf(t)
	switch w.fn {
	case "shift":
		return t
	case "diff":
		if k == kFloat {
			return Float64
		}
		return Int64
	case "cumsum", "cumprod":
		if k == kFloat {
			return Float64
		}
		return Int64
	case "cummax", "cummin":
		return t
	case "cumcount":
		return Int64
	}
	return Float64
}

// window makes the plan node of w over f, checking the columns.
func (f *Frame) window(w winSpec) *Frame {
	if f.err != nil {
		return f
	}
	fail := func(format string, a ...any) *Frame {
		return errFrame(fmt.Errorf("frame: %s: %s", w.what, fmt.Sprintf(format, a...)))
	}
	s := f.n.schema
	if w.dur > 0 && w.on == "" {
		if f.n.idx == nil || kindOf(s.Field(s.FieldIndices(f.n.idx.col)[0]).Type) != kTime {
			return fail("a time window needs a timestamp column: give it with On(col) or set a timestamp index (SetIndex, SetSortedIndex)")
		}
		w.on = f.n.idx.col
	}
	if w.on != "" {
		ix := s.FieldIndices(w.on)
		if len(ix) == 0 {
			return fail("no column %q (columns: %s)", w.on, schemaCols(s))
		}
		if kindOf(s.Field(ix[0]).Type) != kTime {
			return fail("column %q is %s, not a timestamp", w.on, s.Field(ix[0]).Type)
		}
	}
	if len(w.cols) == 0 {
		skip := map[string]bool{w.on: true}
		if f.n.idx != nil {
			skip[f.n.idx.col] = true
		}
		for _, fl := range s.Fields() {
			k := kindOf(fl.Type)
			if skip[fl.Name] || (w.fn != "shift" && !k.numeric() && !(k == kTime && (w.fn == "diff" || w.fn == "cummax" || w.fn == "cummin"))) {
				continue
			}
			w.cols = append(w.cols, fl.Name)
		}
	}
	fields := append([]arrow.Field(nil), s.Fields()...)
	for _, c := range w.cols {
		ix := s.FieldIndices(c)
		if len(ix) == 0 {
			return fail("no column %q (columns: %s)", c, schemaCols(s))
		}
		t := s.Field(ix[0]).Type
		k := kindOf(t)
		ok := k != kInvalid
		switch w.fn {
		case "shift", "cumcount":
		case "diff", "cummax", "cummin":
			ok = k == kInt || k == kFloat || k == kTime || (k == kBool && w.fn == "diff")
		default:
			ok = k.numeric()
		}
		if !ok {
			return fail("column %q of type %s is not numeric", c, t)
		}
		fields[ix[0]] = arrow.Field{Name: c, Type: w.outType(t), Nullable: true}
	}
	n := &node{op: "ext", in: f.n, schema: arrow.NewSchema(fields, nil)}
	ws := w
	n.ext = &ws
	n.idx = f.n.idx
	for _, c := range w.cols {
		if f.n.idx != nil && c == f.n.idx.col {
			n.idx = nil
		}
	}
	return newFrame(n)
}

// Shift moves the values of cols (all columns but the index when none)
// down by periods rows (up when negative), in frame order, like pandas'
// DataFrame.shift: the first periods rows become null. Types are kept
// (integers stay integers, with nulls). A partition's task reads only the
// last periods rows of the partitions before it (the first rows of those
// after it, for a negative shift), taken once per partition boundary.
func (f *Frame) Shift(periods int, cols ...string) *Frame {
	return f.window(winSpec{fn: "shift", what: fmt.Sprintf("Shift(%d)", periods), cols: cols, k: int64(periods)})
}

// Diff is the difference of each value of cols (all numeric columns when
// none) and the value periods rows before it (after it when negative), as
// pandas' diff: null where either is missing. Integers and timestamps give
// Int64 (timestamps: microseconds; integer differences wrap), floats
// Float64.
func (f *Frame) Diff(periods int, cols ...string) *Frame {
	return f.window(winSpec{fn: "diff", what: fmt.Sprintf("Diff(%d)", periods), cols: cols, k: int64(periods)})
}

// PctChange is the fractional change x[i]/x[i-periods] - 1 of cols (all
// numeric when none), as pandas' pct_change(fill_method=None): null where
// either value is missing; a zero before gives ±Inf (NaN for 0/0).
func (f *Frame) PctChange(periods int, cols ...string) *Frame {
	return f.window(winSpec{fn: "pct", what: fmt.Sprintf("PctChange(%d)", periods), cols: cols, k: int64(periods)})
}

// CumSum replaces cols (all numeric columns but the index when none) by
// their running sums in frame order, as pandas' cumsum (skipna): a null or
// NaN stays where it is and is skipped by the sum. Integers and bools sum
// in Int64 (wrapping, like Sum), floats in Float64. It is a carry scan: a
// task per partition computes its totals, one small task the prefix of
// them, and each partition's task adds its carry in one pass; no partition
// is moved.
func (f *Frame) CumSum(cols ...string) *Frame {
	return f.window(winSpec{fn: "cumsum", what: "CumSum", cols: cols})
}

// CumProd is the running product; otherwise as CumSum.
func (f *Frame) CumProd(cols ...string) *Frame {
	return f.window(winSpec{fn: "cumprod", what: "CumProd", cols: cols})
}

// CumMax is the running maximum (types kept; NaN and nulls skipped and left
// in place); otherwise as CumSum.
func (f *Frame) CumMax(cols ...string) *Frame {
	return f.window(winSpec{fn: "cummax", what: "CumMax", cols: cols})
}

// CumMin is the running minimum; otherwise as CumMax.
func (f *Frame) CumMin(cols ...string) *Frame {
	return f.window(winSpec{fn: "cummin", what: "CumMin", cols: cols})
}

// CumCount replaces cols (all numeric columns when none) by the running
// count of their non-missing values (pandas' expanding().count(), Int64).
func (f *Frame) CumCount(cols ...string) *Frame {
	return f.window(winSpec{fn: "cumcount", what: "CumCount", cols: cols})
}

// Rolling is a moving window over a frame's rows, waiting for its
// aggregation (pandas' df.rolling(...)).
type Rolling struct {
	f    *Frame
	w    winSpec
	what string
	err  error
}

// Rolling is a window of the last n rows, in frame order (row order within
// partitions, partitions in order): no sort is needed, as in pandas. Like
// pandas a window is valid when it holds n non-missing values (see
// MinPeriods). A partition's task reads the last n-1 rows of the partitions
// before it, taken once per boundary; n <= 0 is an error.
func (f *Frame) Rolling(n int) *Rolling {
	r := &Rolling{f: f, w: winSpec{k: int64(n), minp: int64(n)}, what: fmt.Sprintf("Rolling(%d)", n)}
	if n <= 0 {
		r.err = fmt.Errorf("frame: Rolling(%d): the window must be at least one row", n)
	}
	return r
}

// RollingTime is a time window (pandas' df.rolling("1h", on=...)): the
// window of a row holds the rows whose timestamp t satisfies
// ts-d < t <= ts (closed on the right), valid with at least one value
// (MinPeriods changes it). The timestamps are the frame's index (a
// timestamp index set by SetIndex or SetSortedIndex) or the column given to
// On; they must be ascending in frame order: a row out of order fails the
// run with an error naming the partition, the row and the values (sort
// first with SortValues or SetIndex). d <= 0 is an error. On zoned
// timestamps the window is d of instants whatever the zone's clock changes
// (pandas' rolling("1D") is 24 hours, and it refuses calendar offsets).
func (f *Frame) RollingTime(d time.Duration) *Rolling {
	r := &Rolling{f: f, w: winSpec{dur: d.Microseconds(), minp: 1}, what: fmt.Sprintf("RollingTime(%s)", d)}
	if d.Microseconds() <= 0 {
		r.err = fmt.Errorf("frame: RollingTime(%s): the window must be at least one microsecond", d)
	}
	return r
}

// On names the timestamp column of a time window (instead of the index).
func (r *Rolling) On(col string) *Rolling {
	c := *r
	c.w.on = col
	return &c
}

// MinPeriods sets how many non-missing values a window needs to give a
// value (pandas' min_periods); fewer give null.
func (r *Rolling) MinPeriods(k int) *Rolling {
	c := *r
	c.w.minp = int64(k)
	if k < 0 && c.err == nil {
		c.err = fmt.Errorf("frame: %s.MinPeriods(%d): must not be negative", r.what, k)
	}
	return &c
}

func (r *Rolling) agg(fn, name string, cols []string) *Frame {
	if r.err != nil {
		return errFrame(r.err)
	}
	w := r.w
	w.fn, w.cols, w.what = fn, cols, r.what+"."+name
	return r.f.window(w)
}

// Sum replaces cols (all numeric columns but the index and the time column
// when none) by their moving sums (Float64; compensated summation, so long
// windows do not drift).
func (r *Rolling) Sum(cols ...string) *Frame { return r.agg("rsum", "Sum", cols) }

// Mean is the moving mean; otherwise as Sum.
func (r *Rolling) Mean(cols ...string) *Frame { return r.agg("rmean", "Mean", cols) }

// Std is the moving standard deviation (ddof=1, as pandas); otherwise as Sum.
func (r *Rolling) Std(cols ...string) *Frame { return r.agg("rstd", "Std", cols) }

// Var is the moving variance (ddof=1); otherwise as Sum.
func (r *Rolling) Var(cols ...string) *Frame { return r.agg("rvar", "Var", cols) }

// Min is the moving minimum (a monotone deque: O(1) a row); otherwise as Sum.
func (r *Rolling) Min(cols ...string) *Frame { return r.agg("rmin", "Min", cols) }

// Max is the moving maximum; otherwise as Min.
func (r *Rolling) Max(cols ...string) *Frame { return r.agg("rmax", "Max", cols) }

// Count is the number of non-missing values in each window (Float64, as
// pandas).
func (r *Rolling) Count(cols ...string) *Frame { return r.agg("rcount", "Count", cols) }

func (w *winSpec) op(kind string, part int) *winOp {
	return &winOp{kind: kind, fn: w.fn, cols: w.cols, on: w.on, names: []string{w.what},
		ints: []int64{w.k, w.dur, w.minp, int64(part)}, piece: -1}
}

func (w *winSpec) lower(b *builder, n *node, ps, _ []pend) ([]pend, error) {
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	out := make([]pend, len(parts))
	if w.scan() {
		tots := make([]graph.Key, len(parts))
		for i, p := range parts {
			if tots[i], err = b.add(w.op("scantot", i), p); err != nil {
				return nil, err
			}
		}
		pre, err := b.add(w.op("scanpre", 0), tots...)
		if err != nil {
			return nil, err
		}
		for i, p := range parts {
			k, err := b.add(w.op("scanfix", i), p, pre)
			if err != nil {
				return nil, err
			}
			out[i] = pend{deps: []graph.Key{k}}
		}
		return out, nil
	}
	if (w.fn == "shift" || w.fn == "diff" || w.fn == "pct") && w.k == 0 {
		for i, p := range parts {
			k, err := b.add(w.op("win", i), p)
			if err != nil {
				return nil, err
			}
			out[i] = pend{deps: []graph.Key{k}}
		}
		return out, nil
	}
	// The overlap: ov[i] holds the rows partition i needs from the others,
	// built once per boundary as a chain (so empty and short partitions
	// pass the rows on).
	ov := make([]graph.Key, len(parts))
	if w.k < 0 {
		for i := len(parts) - 2; i >= 0; i-- {
			deps := []graph.Key{parts[i+1]}
			if ov[i+1] != "" {
				deps = append(deps, ov[i+1])
			}
			if ov[i], err = b.add(w.op("head", i), deps...); err != nil {
				return nil, err
			}
		}
	} else {
		for i := 1; i < len(parts); i++ {
			var deps []graph.Key
			if ov[i-1] != "" {
				deps = append(deps, ov[i-1])
			}
			if ov[i], err = b.add(w.op("tail", i), append(deps, parts[i-1])...); err != nil {
				return nil, err
			}
		}
	}
	for i, p := range parts {
		deps := []graph.Key{p}
		if ov[i] != "" {
			deps = append(deps, ov[i])
		}
		k, err := b.add(w.op("win", i), deps...)
		if err != nil {
			return nil, err
		}
		out[i] = pend{deps: []graph.Key{k}}
	}
	return out, nil
}

// winSpecOf rebuilds the spec from an op's parameters.
func winSpecOf(o *winOp) (winSpec, int) {
	w := winSpec{fn: o.fn, cols: o.cols, on: o.on}
	if len(o.names) > 0 {
		w.what = o.names[0]
	}
	if len(o.ints) >= 4 {
		w.k, w.dur, w.minp = o.ints[0], o.ints[1], o.ints[2]
		return w, int(o.ints[3])
	}
	return w, 0
}

// project keeps the columns cols (in that order) of the records and
// concatenates them.
func projectConcat(cols []string, recs []arrow.Record) (arrow.Record, error) {
	var ps []arrow.Record
	var schema *arrow.Schema
	for _, r := range recs {
		idx, err := fieldIndices(r.Schema(), cols)
		if err != nil {
			return nil, err
		}
		fields := make([]arrow.Field, len(idx))
		arrs := make([]arrow.Array, len(idx))
		for j, i := range idx {
			fields[j], arrs[j] = r.Schema().Field(i), r.Column(i)
		}
		if schema == nil {
			schema = arrow.NewSchema(fields, nil)
		}
		ps = append(ps, array.NewRecord(schema, arrs, r.NumRows()))
	}
	if len(ps) == 1 {
		return ps[0], nil
	}
	return concatRecords(schema, ps)
}

func (w *winSpec) overlapCols() []string {
	cols := append([]string(nil), w.cols...)
	if w.on != "" {
		cols = append(cols, w.on)
	}
	return cols
}

// runTail keeps the rows of (previous overlap, previous partition) that
// the next partitions' windows may reach: the last k rows, or those within
// dur of the last timestamp.
func runTail(o *winOp, in []any) (any, error) {
	w, _ := winSpecOf(o)
	recs := make([]arrow.Record, len(in))
	for i, v := range in {
		recs[i] = partRecord(v)
	}
	recs = w.trimTails(recs) // window_rows.go: no copy of a whole partition
	r, err := projectConcat(w.overlapCols(), recs)
	if err != nil {
		return nil, err
	}
	n := r.NumRows()
	keep := w.k
	if w.fn == "shift" || w.fn == "diff" || w.fn == "pct" {
		keep = w.k
	} else if w.dur == 0 {
		keep = w.k - 1
	}
	if w.dur > 0 && n > 0 {
		ts := colOf(r.Column(len(w.cols)))
		last := ts.i64[n-1]
		i := n
		for i > 0 && ts.i64[i-1] > last-w.dur {
			i--
		}
		keep = n - i
	}
	if keep < n {
		r = r.NewSlice(n-keep, n)
	}
	return &Part{R: settled(r)}, nil
}

// runHead keeps the first -k rows of (next partition, next overlap).
func runHead(o *winOp, in []any) (any, error) {
	w, _ := winSpecOf(o)
	recs := make([]arrow.Record, len(in))
	for i, v := range in {
		recs[i] = partRecord(v)
	}
	r, err := projectConcat(w.overlapCols(), recs)
	if err != nil {
		return nil, err
	}
	if keep := -w.k; keep < r.NumRows() {
		r = r.NewSlice(0, keep)
	}
	return &Part{R: settled(r)}, nil
}

// runWin computes the window columns of one partition (in[0]) with its
// overlap (in[1], when there is one).
func runWin(o *winOp, in []any) (any, error) {
	w, part := winSpecOf(o)
	r := partRecord(in[0])
	n := int(r.NumRows())
	var ovr arrow.Record
	if len(in) > 1 {
		ovr = partRecord(in[1])
	}
	nov := 0
	if ovr != nil {
		nov = int(ovr.NumRows())
	}
	var ts []int64
	if w.dur > 0 {
		var err error
		if ts, err = w.timestamps(r, ovr, part); err != nil {
			return nil, err
		}
	}
	cols := make([]arrow.Array, r.NumCols())
	copy(cols, r.Columns())
	fields := append([]arrow.Field(nil), r.Schema().Fields()...)
	var lo []int32
	for j, c := range w.cols {
		ci := r.Schema().FieldIndices(c)[0]
		a := r.Column(ci)
		var ov arrow.Array
		if ovr != nil {
			ov = ovr.Column(j)
		}
		var res arrow.Array
		switch w.fn {
		case "shift", "diff", "pct":
			res = shiftLike(w.fn, w.k, a, ov)
		case "rsum", "rmean":
			if res = sumRows(&w, a, ov); res != nil { // window_rows.go
				break
			}
			fallthrough
		default:
			x := floatsWithOverlap(a, ov, w.k < 0)
			if lo == nil {
				lo = window.Bounds(nov+n, nov, int(w.k), ts, w.dur)
			}
			vals, ok := make([]float64, n), make([]bool, n)
			minp := int(w.minp)
			switch w.fn {
			case "rsum", "rmean":
				window.Sum(x, nov, lo, minp, w.fn == "rmean", vals, ok)
			case "rstd", "rvar":
				window.Var(x, nov, lo, minp, 1, w.fn == "rstd", vals, ok)
			case "rmin", "rmax":
				window.MinMax(x, nov, lo, minp, w.fn == "rmax", vals, ok)
			case "rcount":
				window.Count(x, nov, lo, minp, vals, ok)
			default:
				return nil, fmt.Errorf("frame: unknown window function %q", w.fn)
			}
			res = float64Array(vals, allTrueNil(ok))
		}
		cols[ci] = res
		fields[ci] = arrow.Field{Name: c, Type: res.DataType(), Nullable: true}
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))}, nil
}

// allTrueNil returns nil (no validity bitmap) when every value is valid.
func allTrueNil(ok []bool) []bool {
	for _, v := range ok {
		if !v {
			return ok
		}
	}
	return nil
}

// timestamps returns the overlap's then the partition's timestamps, and
// checks that they ascend and have no nulls.
func (w *winSpec) timestamps(r, ovr arrow.Record, part int) ([]int64, error) {
	c := colOf(r.Column(r.Schema().FieldIndices(w.on)[0]))
	var ts []int64
	if ovr != nil && ovr.NumRows() > 0 {
		oc := colOf(ovr.Column(len(w.cols)))
		ts = append(append(ts, oc.i64...), c.i64...)
	} else {
		ts = c.i64
	}
	nov := len(ts) - c.n
	for i := 0; i < c.n; i++ {
		if c.null(i) {
			return nil, fmt.Errorf("frame: %s: column %q has a null at partition %d row %d: a time window needs every timestamp", w.what, w.on, part, i)
		}
		if j := nov + i; j > 0 && ts[j] < ts[j-1] {
			return nil, fmt.Errorf("frame: %s: column %q is not sorted: partition %d row %d (%s) comes after %s; sort first (SortValues or SetIndex)",
				w.what, w.on, part, i, time.UnixMicro(ts[j]).UTC().Format(time.RFC3339Nano), time.UnixMicro(ts[j-1]).UTC().Format(time.RFC3339Nano))
		}
	}
	return ts, nil
}

// floatsWithOverlap returns the values of a (after the overlap ov, or
// before it when after is true) as float64, missing values as NaN.
func floatsWithOverlap(a, ov arrow.Array, after bool) []float64 {
	var parts []arrow.Array
	if ov != nil && ov.Len() > 0 && !after {
		parts = append(parts, ov)
	}
	parts = append(parts, a)
	if ov != nil && ov.Len() > 0 && after {
		parts = append(parts, ov)
	}
	total := 0
	for _, p := range parts {
		total += p.Len()
	}
	x := make([]float64, 0, total)
	for _, p := range parts {
		c := colOf(p)
		if c.k == kFloat && c.valid == nil {
			x = append(x, c.f64...)
			continue
		}
		for i := 0; i < c.n; i++ {
			if c.null(i) {
				x = append(x, math.NaN())
			} else {
				x = append(x, c.float(i))
			}
		}
	}
	return x
}

// shiftLike computes shift, diff or pct over a with the overlap ov (the
// rows before a for k > 0, after it for k < 0).
func shiftLike(fn string, k int64, a, ov arrow.Array) arrow.Array {
	n := a.Len()
	nov := 0
	if ov != nil {
		nov = ov.Len()
	}
	// src[i] is the row of (overlap, a) or (a, overlap) that row i of a
	// pairs with, -1 when there is none.
	var all arrow.Array
	src := make([]int32, n)
	self := make([]int32, n)
	if k >= 0 {
		all = a
		if nov > 0 {
			all = concatArrays(ov, a)
		}
		for i := range src {
			j := int64(nov+i) - k
			src[i], self[i] = int32(j), int32(nov+i)
			if j < 0 {
				src[i] = -1
			}
		}
	} else {
		all = a
		if nov > 0 {
			all = concatArrays(a, ov)
		}
		for i := range src {
			j := int64(i) - k
			src[i], self[i] = int32(j), int32(i)
			if j >= int64(all.Len()) {
				src[i] = -1
			}
		}
	}
	if fn == "shift" {
		return takeCol(all, src)
	}
	c := colOf(all)
	valid := make([]bool, n)
	if fn == "pct" {
		out := make([]float64, n)
		for i := range out {
			s, t := int(src[i]), int(self[i])
			if s >= 0 && !c.null(s) && !c.null(t) {
				out[i], valid[i] = c.float(t)/c.float(s)-1, true
			}
		}
		return float64Array(out, allTrueNil(valid))
	}
	if c.k == kFloat {
		out := make([]float64, n)
		for i := range out {
			s, t := int(src[i]), int(self[i])
			if s >= 0 && !c.null(s) && !c.null(t) {
				out[i], valid[i] = c.f64[t]-c.f64[s], true
			}
		}
		return float64Array(out, allTrueNil(valid))
	}
	out := make([]int64, n)
	for i := range out {
		s, t := int(src[i]), int(self[i])
		if s >= 0 && !c.null(s) && !c.null(t) {
			if c.k == kBool {
				out[i] = int64(btoi(c.boolAt(t)) - btoi(c.boolAt(s)))
			} else {
				out[i] = c.i64[t] - c.i64[s]
			}
			valid[i] = true
		}
	}
	return int64Array(out, allTrueNil(valid))
}

func init() {
	winKinds["tail"] = runTail
	winKinds["head"] = runHead
	winKinds["win"] = runWin
}

// concatArrays concatenates arrays of one type (the types were checked
// when the plan was made, so an error here is a bug).
func concatArrays(as ...arrow.Array) arrow.Array {
	a, err := array.Concatenate(as, memory.DefaultAllocator)
	if err != nil {
		panic(fmt.Sprintf("frame: concatenate %s arrays: %v", as[0].DataType(), err))
	}
	return a
}
