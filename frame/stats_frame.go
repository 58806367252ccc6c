package frame

import (
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/frame/internal/stats"
	"github.com/godask/godask/graph"
)

// statSpec is a statistic over columns, of the whole frame (no keys) or
// per group: quantile (exact, by selection), qapprox (mergeable
// summaries), corr and cov (co-moments), skew and kurt (moments).
type statSpec struct {
	fn    string
	what  string
	keys  []string
	cols  []string
	qs    []float64
	m     int // qapprox: points per partition summary
	split int
}

// summaryPoints is the size of an approximate-quantile summary for a rank
// error eps (a fraction of the rows).
func summaryPoints(eps float64) int { return int(math.Ceil(1 / eps)) }

func (s *statSpec) holistic() bool { return s.fn == "quantile" }

func (s *statSpec) describe() string {
	by := ""
	if len(s.keys) > 0 {
		by = fmt.Sprintf(" by [%s]", strings.Join(s.keys, ", "))
	}
	how := "partial states merged"
	if s.holistic() {
		how = "values gathered, selection"
	}
	return fmt.Sprintf("%s%s [%s] (%s)", s.what, by, strings.Join(s.cols, ", "), how)
}

func (s *statSpec) parts(n *node) int {
	if len(s.keys) == 0 {
		return 1
	}
	if s.split > 0 {
		return s.split
	}
	return autoSplit(partsOf(n.in))
}

func (s *statSpec) need(map[string]bool) map[string]bool {
	return needOnly(append(append([]string(nil), s.keys...), s.cols...)...)
}

func (s *statSpec) op(kind string, piece int) *winOp {
	return &winOp{kind: kind, fn: s.fn, cols: s.cols, names: append([]string{s.what}, s.keys...), flts: s.qs, ints: []int64{int64(s.m)}, piece: piece}
}

func statOpSpec(o *winOp) *statSpec {
	s := &statSpec{fn: o.fn, what: o.names[0], keys: o.names[1:], cols: o.cols, qs: o.flts}
	if len(o.ints) > 0 {
		s.m = int(o.ints[0])
	}
	return s
}

func (s *statSpec) lower(b *builder, n *node, ps, _ []pend) ([]pend, error) {
	cols := append(append([]string(nil), s.keys...), s.cols...)
	ps = appendStep(ps, step{kind: "project", exprs: colExprs(cols), names: cols})
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	if !s.holistic() {
		for i, p := range parts {
			if parts[i], err = b.add(s.op("stprep", -1), p); err != nil {
				return nil, err
			}
		}
	}
	if s.groupedQuantile() { // stats_qgroup.go: groups, not rows, are shuffled
		for i, p := range parts {
			if parts[i], err = b.add(s.op("stqprep", -1), p); err != nil {
				return nil, err
			}
		}
	}
	p := s.parts(n)
	final := func(deps []graph.Key, piece int) (graph.Key, error) {
		for !s.holistic() && len(deps) > fanIn {
			var next []graph.Key
			for i := 0; i < len(deps); i += fanIn {
				k, err := b.add(s.op("stmerge", piece), deps[i:min(i+fanIn, len(deps))]...)
				if err != nil {
					return "", err
				}
				next = append(next, k)
			}
			deps, piece = next, -1
		}
		return b.add(s.op("stfinal", piece), deps...)
	}
	return b.partitioned(parts, s.keys, p, final)
}

func colExprs(names []string) []*enode {
	out := make([]*enode, len(names))
	for i, c := range names {
		out[i] = Col(c).n
	}
	return out
}

// stat builds a statistic node over f (keys may be empty).
func (f *Frame) stat(s statSpec, numericOnly bool) *Frame {
	if f.err != nil {
		return f
	}
	fail := func(format string, a ...any) *Frame {
		return errFrame(fmt.Errorf("frame: %s: %s", s.what, fmt.Sprintf(format, a...)))
	}
	sc := f.n.schema
	if _, err := fieldIndices(sc, s.keys); err != nil {
		return fail("%v", err)
	}
	for _, q := range s.qs {
		if !(q >= 0 && q <= 1) {
			return fail("q=%v is outside [0, 1]", q)
		}
	}
	if len(s.cols) == 0 {
		isKey := map[string]bool{}
		for _, k := range s.keys {
			isKey[k] = true
		}
		for _, fl := range sc.Fields() {
			if !isKey[fl.Name] && kindOf(fl.Type).numeric() {
				s.cols = append(s.cols, fl.Name)
			}
		}
	}
	for _, c := range s.cols {
		ix := sc.FieldIndices(c)
		if len(ix) == 0 {
			return fail("no column %q (columns: %s)", c, schemaCols(sc))
		}
		if numericOnly && !kindOf(sc.Field(ix[0]).Type).numeric() {
			return fail("column %q of type %s is not numeric", c, sc.Field(ix[0]).Type)
		}
	}
	var fields []arrow.Field
	for _, k := range s.keys {
		fields = append(fields, sc.Field(sc.FieldIndices(k)[0]))
	}
	switch {
	case (s.fn == "corr" || s.fn == "cov") && len(s.keys) == 0:
		fields = append(fields, arrow.Field{Name: "column", Type: String})
		for _, c := range s.cols {
			fields = append(fields, arrow.Field{Name: c, Type: Float64, Nullable: true})
		}
	case s.fn == "corr" || s.fn == "cov":
		if len(s.cols) != 2 {
			return fail("needs two columns, got %d", len(s.cols))
		}
		fields = append(fields, arrow.Field{Name: s.fn, Type: Float64, Nullable: true})
	default:
		if len(s.qs) > 1 {
			fields = append(fields, arrow.Field{Name: "quantile", Type: Float64})
		}
		for _, c := range s.cols {
			fields = append(fields, arrow.Field{Name: c, Type: Float64, Nullable: true})
		}
	}
	n := &node{op: "ext", in: f.n, schema: arrow.NewSchema(fields, nil)}
	ss := s
	n.ext = &ss
	return newFrame(n)
}

// Quantile is the q-quantile of each of cols (all numeric columns when
// none), a one-row frame, exact: pandas' quantile with linear
// interpolation, nulls and NaN left out. The values of a column are
// gathered into one task and the quantile found by selection (O(n), no
// sort), so the column must fit in memory once; QuantileApprox does not
// gather. q outside [0, 1] is an error.
func (f *Frame) Quantile(q float64, cols ...string) *Frame {
	return f.stat(statSpec{fn: "quantile", what: fmt.Sprintf("Quantile(%v)", q), cols: cols, qs: []float64{q}}, true)
}

// Quantiles is Quantile at several qs: a row per q, in a column
// "quantile", then one column per column.
func (f *Frame) Quantiles(qs []float64, cols ...string) *Frame {
	if len(qs) == 0 {
		return errFrame(fmt.Errorf("frame: Quantiles: no quantiles given"))
	}
	return f.stat(statSpec{fn: "quantile", what: fmt.Sprintf("Quantiles(%v)", qs), cols: cols, qs: qs}, true)
}

// QuantileApprox is the q-quantile of each of cols from mergeable
// summaries: every partition sorts its values and keeps about 1/eps of
// them, weighted; the summaries are merged by a tree. The value returned
// has a rank within eps·n + P of the exact quantile's (n values, P
// partitions), e.g. eps = 0.001 on 10⁷ rows in 100 partitions: within
// 10,100 ranks. Memory per task is O(partition + P/eps).
func (f *Frame) QuantileApprox(q, eps float64, cols ...string) *Frame {
	what := fmt.Sprintf("QuantileApprox(%v, %v)", q, eps)
	if !(eps > 0 && eps < 1) {
		return errFrame(fmt.Errorf("frame: %s: eps must be in (0, 1)", what))
	}
	return f.stat(statSpec{fn: "qapprox", what: what, cols: cols, qs: []float64{q}, m: summaryPoints(eps)}, true)
}

// Corr is the Pearson correlation matrix of cols (all numeric columns when
// none), as pandas' DataFrame.corr: a column "column" naming the row, then
// one Float64 column per column. Each pair uses the rows where both values
// are present (pairwise complete; nulls and NaN left out). Partitions
// compute co-moments, merged by Chan et al.'s pairwise update (no sums of
// squares that cancel).
func (f *Frame) Corr(cols ...string) *Frame {
	return f.stat(statSpec{fn: "corr", what: "Corr", cols: cols}, true)
}

// Cov is the sample covariance matrix (ddof=1); otherwise as Corr.
func (f *Frame) Cov(cols ...string) *Frame {
	return f.stat(statSpec{fn: "cov", what: "Cov", cols: cols}, true)
}

// Skew is the sample skewness of each of cols (pandas' skew: the adjusted
// Fisher–Pearson coefficient, NaN for fewer than 3 values), a one-row
// frame; moments merge across partitions by Pébay's formulas.
func (f *Frame) Skew(cols ...string) *Frame {
	return f.stat(statSpec{fn: "skew", what: "Skew", cols: cols}, true)
}

// Kurt is the unbiased excess kurtosis of each of cols (pandas' kurt, NaN
// for fewer than 4 values); otherwise as Skew.
func (f *Frame) Kurt(cols ...string) *Frame {
	return f.stat(statSpec{fn: "kurt", what: "Kurt", cols: cols}, true)
}

// Quantile is the exact q-quantile of cols per group (keys then one column
// per column): the rows are hash-split by key and every group's values
// selected where they land.
func (g *GroupBy) Quantile(q float64, cols ...string) *Frame {
	return g.f.stat(statSpec{fn: "quantile", what: fmt.Sprintf("GroupBy(%s).Quantile(%v)", strings.Join(g.keys, ", "), q), keys: g.keys, cols: cols, qs: []float64{q}, split: g.split}, true)
}

// Corr is the Pearson correlation of x and y per group (keys, then "corr"),
// pairwise complete; co-moments per group and partition, merged as Corr.
func (g *GroupBy) Corr(x, y string) *Frame {
	return g.f.stat(statSpec{fn: "corr", what: fmt.Sprintf("GroupBy(%s).Corr", strings.Join(g.keys, ", ")), keys: g.keys, cols: []string{x, y}, split: g.split}, true)
}

// Cov is the sample covariance of x and y per group (keys, then "cov").
func (g *GroupBy) Cov(x, y string) *Frame {
	return g.f.stat(statSpec{fn: "cov", what: fmt.Sprintf("GroupBy(%s).Cov", strings.Join(g.keys, ", ")), keys: g.keys, cols: []string{x, y}, split: g.split}, true)
}

// Skew per group; otherwise as Frame.Skew.
func (g *GroupBy) Skew(cols ...string) *Frame {
	return g.f.stat(statSpec{fn: "skew", what: fmt.Sprintf("GroupBy(%s).Skew", strings.Join(g.keys, ", ")), keys: g.keys, cols: cols, split: g.split}, true)
}

// Kurt per group; otherwise as Frame.Kurt.
func (g *GroupBy) Kurt(cols ...string) *Frame {
	return g.f.stat(statSpec{fn: "kurt", what: fmt.Sprintf("GroupBy(%s).Kurt", strings.Join(g.keys, ", ")), keys: g.keys, cols: cols, split: g.split}, true)
}

// statGroups groups r by the spec's keys: gids per row, the first row of
// each group.
func (s *statSpec) groups(r arrow.Record, enc *encCache) ([]int32, []int32, error) {
	idx, err := fieldIndices(r.Schema(), s.keys)
	if err != nil {
		return nil, nil, err
	}
	gids, first, _ := groupRowsMaybe(r, idx, enc, false)
	if r.NumRows() == 0 && len(s.keys) == 0 {
		first = nil
	}
	return gids, first, nil
}

// state layout, per group row: keys, then per state its float64 fields:
// moments (n, mean, m2, m3, m4) per column; co-moments (n, mx, my, m2x,
// m2y, c) per pair i <= j; qapprox summaries are rows of (col, v, w) with a
// header row (-1-col, N, Err) per column.
const nMom, nCo = 5, 6

func (s *statSpec) pairs() [][2]int {
	var ps [][2]int
	for i := range s.cols {
		for j := i; j < len(s.cols); j++ {
			if len(s.keys) > 0 && !(i == 0 && j == 1) {
				continue
			}
			ps = append(ps, [2]int{i, j})
		}
	}
	return ps
}

func (s *statSpec) width() int {
	if s.fn == "corr" || s.fn == "cov" {
		return nCo * len(s.pairs())
	}
	return nMom * len(s.cols)
}

func stateRecord(keys []arrow.Array, keyFields []arrow.Field, st [][]float64, ng int) arrow.Record {
	fields := append([]arrow.Field(nil), keyFields...)
	arrs := append([]arrow.Array(nil), keys...)
	for j := range st {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("\x00s%d", j), Type: Float64})
		arrs = append(arrs, float64Array(st[j], nil))
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(ng))
}

func presentAt(c *col, i int) (float64, bool) {
	if c.null(i) {
		return 0, false
	}
	v := c.float(i)
	return v, v == v
}

func runStatPrep(o *winOp, in []any) (any, error) {
	s := statOpSpec(o)
	r := partRecord(in[0])
	if s.fn == "qapprox" {
		return &Part{R: s.summaries(r)}, nil
	}
	var enc *encCache // a persisted partition's string codes
	if p, ok := in[0].(*Part); ok {
		enc = p.enc
	}
	gids, first, err := s.groups(r, enc)
	if err != nil {
		return nil, err
	}
	ng := len(first)
	cs := make([]col, len(s.cols))
	for j, c := range s.cols {
		cs[j] = colOf(r.Column(r.Schema().FieldIndices(c)[0]))
	}
	w := s.width()
	st := make([][]float64, w)
	for j := range st {
		st[j] = make([]float64, ng)
	}
	if s.fn == "corr" || s.fn == "cov" {
		for p, pr := range s.pairs() {
			acc := make([]stats.CoMoments, ng)
			a, b := &cs[pr[0]], &cs[pr[1]]
			for i, g := range gids {
				x, okx := presentAt(a, i)
				y, oky := presentAt(b, i)
				if okx && oky {
					acc[g].Add(x, y)
				}
			}
			for g := range acc {
				c := acc[g]
				for k, v := range []float64{c.N, c.MX, c.MY, c.M2X, c.M2Y, c.C} {
					st[p*nCo+k][g] = v
				}
			}
		}
	} else {
		for j := range cs {
			acc := make([]stats.Moments, ng)
			for i, g := range gids {
				if x, ok := presentAt(&cs[j], i); ok {
					acc[g].Add(x)
				}
			}
			for g := range acc {
				m := acc[g]
				for k, v := range []float64{m.N, m.Mean, m.M2, m.M3, m.M4} {
					st[j*nMom+k][g] = v
				}
			}
		}
	}
	keys, kf := s.keyColumns(r, first)
	return &Part{R: stateRecord(keys, kf, st, ng)}, nil
}

func (s *statSpec) keyColumns(r arrow.Record, first []int32) ([]arrow.Array, []arrow.Field) {
	var keys []arrow.Array
	var kf []arrow.Field
	for _, k := range s.keys {
		i := r.Schema().FieldIndices(k)[0]
		keys = append(keys, takeCol(r.Column(i), first))
		kf = append(kf, r.Schema().Field(i))
	}
	return keys, kf
}

// mergeStates groups the state rows of recs by key and merges them.
func (s *statSpec) mergeStates(recs []arrow.Record) (arrow.Record, []int32, [][]float64, error) {
	if len(recs) == 0 {
		return nil, nil, nil, fmt.Errorf("frame: %s: no inputs", s.what)
	}
	r, err := concatRecords(recs[0].Schema(), recs)
	if err != nil {
		return nil, nil, nil, err
	}
	gids, first, err := s.groups(r, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	ng := len(first)
	nk := len(s.keys)
	w := s.width()
	in := make([][]float64, w)
	for j := range in {
		in[j] = colOf(r.Column(nk + j)).f64
	}
	out := make([][]float64, w)
	for j := range out {
		out[j] = make([]float64, ng)
	}
	if s.fn == "corr" || s.fn == "cov" {
		for p := 0; p < w/nCo; p++ {
			acc := make([]stats.CoMoments, ng)
			b := p * nCo
			for i, g := range gids {
				acc[g].Merge(stats.CoMoments{N: in[b][i], MX: in[b+1][i], MY: in[b+2][i], M2X: in[b+3][i], M2Y: in[b+4][i], C: in[b+5][i]})
			}
			for g := range acc {
				c := acc[g]
				for k, v := range []float64{c.N, c.MX, c.MY, c.M2X, c.M2Y, c.C} {
					out[b+k][g] = v
				}
			}
		}
	} else {
		for j := 0; j < w/nMom; j++ {
			acc := make([]stats.Moments, ng)
			b := j * nMom
			for i, g := range gids {
				acc[g].Merge(stats.Moments{N: in[b][i], Mean: in[b+1][i], M2: in[b+2][i], M3: in[b+3][i], M4: in[b+4][i]})
			}
			for g := range acc {
				m := acc[g]
				for k, v := range []float64{m.N, m.Mean, m.M2, m.M3, m.M4} {
					out[b+k][g] = v
				}
			}
		}
	}
	return r, first, out, nil
}

func runStatMerge(o *winOp, in []any) (any, error) {
	s := statOpSpec(o)
	if s.fn == "qapprox" {
		return &Part{R: s.mergeSummaries(inputRecords(in, o.piece))}, nil
	}
	r, first, st, err := s.mergeStates(inputRecords(in, o.piece))
	if err != nil {
		return nil, err
	}
	keys, kf := s.keyColumns(r, first)
	return &Part{R: stateRecord(keys, kf, st, len(first))}, nil
}

func runStatFinal(o *winOp, in []any) (any, error) {
	s := statOpSpec(o)
	switch s.fn {
	case "quantile":
		if s.groupedQuantile() {
			return s.finalGroupedQuantile(in, o.piece) // stats_qgroup.go
		}
		// Gathered in one copy from the sources of in-process pieces.
		r, _, _, err := inputRecord(in, o.piece)
		if err != nil {
			return nil, fmt.Errorf("frame: %s: %w", s.what, err)
		}
		return s.finalQuantile([]arrow.Record{r})
	}
	recs := inputRecords(in, o.piece)
	switch s.fn {
	case "qapprox":
		sum := s.mergeSummaries(recs)
		vals := s.readSummaries(sum)
		arrs := make([]arrow.Array, len(s.cols))
		var fields []arrow.Field
		for j, c := range s.cols {
			v := vals[j].Quantile(s.qs[0])
			arrs[j] = float64Array([]float64{v}, []bool{!math.IsNaN(v)})
			fields = append(fields, arrow.Field{Name: c, Type: Float64, Nullable: true})
		}
		return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, 1)}, nil
	}
	r, first, st, err := s.mergeStates(recs)
	if err != nil {
		return nil, err
	}
	ng := len(first)
	keys, kf := s.keyColumns(r, first)
	fields := kf
	arrs := keys
	switch {
	case (s.fn == "corr" || s.fn == "cov") && len(s.keys) == 0:
		k := len(s.cols)
		mat := make([][]float64, k)
		for i := range mat {
			mat[i] = make([]float64, k)
		}
		for p, pr := range s.pairs() {
			b := p * nCo
			c := stats.CoMoments{}
			if ng > 0 {
				c = stats.CoMoments{N: st[b][0], MX: st[b+1][0], MY: st[b+2][0], M2X: st[b+3][0], M2Y: st[b+4][0], C: st[b+5][0]}
			}
			v := c.Cov()
			if s.fn == "corr" {
				v = c.Corr()
				if pr[0] == pr[1] && c.N >= 2 && c.M2X > 0 {
					v = 1
				}
			}
			mat[pr[0]][pr[1]], mat[pr[1]][pr[0]] = v, v
		}
		sb := newStrBuilder(k)
		for _, c := range s.cols {
			sb.add([]byte(c))
		}
		fields = []arrow.Field{{Name: "column", Type: String}}
		arrs = []arrow.Array{sb.array()}
		for j, c := range s.cols {
			col := make([]float64, k)
			ok := make([]bool, k)
			for i := range col {
				col[i], ok[i] = mat[i][j], !math.IsNaN(mat[i][j])
			}
			fields = append(fields, arrow.Field{Name: c, Type: Float64, Nullable: true})
			arrs = append(arrs, float64Array(col, allTrueNil(ok)))
		}
		return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(k))}, nil
	case s.fn == "corr" || s.fn == "cov":
		vals, ok := make([]float64, ng), make([]bool, ng)
		for g := range vals {
			c := stats.CoMoments{N: st[0][g], MX: st[1][g], MY: st[2][g], M2X: st[3][g], M2Y: st[4][g], C: st[5][g]}
			if s.fn == "corr" {
				vals[g] = c.Corr()
			} else {
				vals[g] = c.Cov()
			}
			ok[g] = !math.IsNaN(vals[g])
		}
		fields = append(fields, arrow.Field{Name: s.fn, Type: Float64, Nullable: true})
		arrs = append(arrs, float64Array(vals, allTrueNil(ok)))
	default:
		if len(s.keys) == 0 && ng == 0 {
			ng = 1
			for j := range st {
				st[j] = []float64{0}
			}
		}
		for j, c := range s.cols {
			vals, ok := make([]float64, ng), make([]bool, ng)
			b := j * nMom
			for g := range vals {
				m := stats.Moments{N: st[b][g], Mean: st[b+1][g], M2: st[b+2][g], M3: st[b+3][g], M4: st[b+4][g]}
				if s.fn == "skew" {
					vals[g] = m.Skew()
				} else {
					vals[g] = m.Kurt()
				}
				ok[g] = !math.IsNaN(vals[g])
			}
			fields = append(fields, arrow.Field{Name: c, Type: Float64, Nullable: true})
			arrs = append(arrs, float64Array(vals, allTrueNil(ok)))
		}
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(ng))}, nil
}

// finalQuantile gathers the values of every group and column and selects
// the quantiles.
func (s *statSpec) finalQuantile(recs []arrow.Record) (any, error) {
	if len(recs) == 0 {
		return nil, fmt.Errorf("frame: %s: no inputs", s.what)
	}
	r, err := projectConcat(append(append([]string(nil), s.keys...), s.cols...), recs)
	if err != nil {
		return nil, err
	}
	gids, first, err := s.groups(r, nil)
	if err != nil {
		return nil, err
	}
	ng := len(first)
	rowsOut := ng
	if len(s.keys) == 0 {
		rowsOut = 1
	}
	nq := len(s.qs)
	keys, kf := s.keyColumns(r, first)
	fields, arrs := kf, keys
	if nq > 1 {
		qv := make([]float64, nq)
		copy(qv, s.qs)
		fields = append(fields, arrow.Field{Name: "quantile", Type: Float64})
		arrs = append(arrs, float64Array(qv, nil))
		rowsOut = nq
	}
	// Scatter each column's values into group order once (counting sort).
	start := make([]int, ng+1)
	for _, g := range gids {
		start[g+1]++
	}
	for g := 0; g < ng; g++ {
		start[g+1] += start[g]
	}
	buf := make([]float64, len(gids))
	fill := make([]int, ng)
	for j, c := range s.cols {
		cc := colOf(r.Column(len(s.keys) + j))
		copy(fill, start[:ng])
		for i, g := range gids {
			if v, ok := presentAt(&cc, i); ok {
				buf[fill[g]] = v
				fill[g]++
			}
		}
		vals, ok := make([]float64, rowsOut), make([]bool, rowsOut)
		if nq > 1 {
			var qs []float64
			if ng > 0 {
				qs = stats.Quantiles(buf[start[0]:fill[0]], s.qs)
			}
			for k := range vals {
				if qs != nil {
					vals[k], ok[k] = qs[k], !math.IsNaN(qs[k])
				}
			}
		} else {
			for g := 0; g < ng; g++ {
				v := stats.Quantile(buf[start[g]:fill[g]], s.qs[0])
				vals[g], ok[g] = v, !math.IsNaN(v)
			}
		}
		fields = append(fields, arrow.Field{Name: c, Type: Float64, Nullable: true})
		arrs = append(arrs, float64Array(vals, allTrueNil(ok)))
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(rowsOut))}, nil
}

func summaryRecord(cols []int64, v, w []float64) arrow.Record {
	fields := []arrow.Field{{Name: "c", Type: Int64}, {Name: "v", Type: Float64}, {Name: "w", Type: Float64}}
	return array.NewRecord(arrow.NewSchema(fields, nil), []arrow.Array{int64Array(cols, nil), float64Array(v, nil), float64Array(w, nil)}, int64(len(cols)))
}

func (s *statSpec) writeSummaries(sums []stats.Summary) arrow.Record {
	var cs []int64
	var vs, ws []float64
	for j, sm := range sums {
		cs, vs, ws = append(cs, int64(-1-j)), append(vs, sm.N), append(ws, sm.Err)
		for k := range sm.V {
			cs, vs, ws = append(cs, int64(j)), append(vs, sm.V[k]), append(ws, sm.W[k])
		}
	}
	return summaryRecord(cs, vs, ws)
}

func (s *statSpec) readSummaries(r arrow.Record) []stats.Summary {
	out := make([]stats.Summary, len(s.cols))
	cs, vs, ws := colOf(r.Column(0)).i64, colOf(r.Column(1)).f64, colOf(r.Column(2)).f64
	for i, c := range cs {
		if c < 0 {
			out[-1-c].N, out[-1-c].Err = vs[i], ws[i]
			continue
		}
		out[c].V, out[c].W = append(out[c].V, vs[i]), append(out[c].W, ws[i])
	}
	return out
}

func (s *statSpec) summaries(r arrow.Record) arrow.Record {
	sums := make([]stats.Summary, len(s.cols))
	for j, name := range s.cols {
		c := colOf(r.Column(r.Schema().FieldIndices(name)[0]))
		v := make([]float64, 0, c.n)
		for i := 0; i < c.n; i++ {
			if x, ok := presentAt(&c, i); ok {
				v = append(v, x)
			}
		}
		sums[j] = stats.Summarize(v, s.m)
	}
	return s.writeSummaries(sums)
}

func (s *statSpec) mergeSummaries(recs []arrow.Record) arrow.Record {
	acc := make([]stats.Summary, len(s.cols))
	for _, r := range recs {
		for j, sm := range s.readSummaries(r) {
			acc[j] = stats.Merge(acc[j], sm)
		}
	}
	return s.writeSummaries(acc)
}

func init() {
	winKinds["stprep"] = runStatPrep
	winKinds["stmerge"] = runStatMerge
	winKinds["stfinal"] = runStatFinal
}
