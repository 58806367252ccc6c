package frame

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/frame/internal/stats"
	"github.com/godask/godask/graph"
)

// describeSpec is Describe: the numeric columns' count, mean, std, min,
// quartiles and max, or, for a frame without numeric columns, the string
// columns' count, unique, top and freq (pandas' describe()).
type describeSpec struct {
	cols    []string
	strings bool
}

var (
	describeNumStats = []string{"count", "mean", "std", "min", "25%", "50%", "75%", "max"}
	describeStrStats = []string{"count", "unique", "top", "freq"}
)

// describeFrame is Describe's plan.
func (f *Frame) describeFrame() *Frame {
	if f.err != nil {
		return f
	}
	s := &describeSpec{}
	for _, fl := range f.n.schema.Fields() {
		if kindOf(fl.Type).numeric() {
			s.cols = append(s.cols, fl.Name)
		}
	}
	if len(s.cols) == 0 {
		s.strings = true
		for _, fl := range f.n.schema.Fields() {
			if kindOf(fl.Type) == kStr {
				s.cols = append(s.cols, fl.Name)
			}
		}
	}
	if len(s.cols) == 0 {
		return errFrame(fmt.Errorf("frame: Describe: no numeric or string columns (columns: %s)", schemaCols(f.n.schema)))
	}
	fields := []arrow.Field{{Name: "stat", Type: String}}
	for _, c := range s.cols {
		t := Float64
		if s.strings {
			t = String
		}
		fields = append(fields, arrow.Field{Name: c, Type: t, Nullable: true})
	}
	n := &node{op: "ext", in: f.n, schema: arrow.NewSchema(fields, nil)}
	n.ext = s
	return newFrame(n)
}

func (s *describeSpec) describe() string {
	return fmt.Sprintf("describe [%v] (values gathered once: moments, quartiles by sorting)", s.cols)
}

func (s *describeSpec) parts(*node) int { return 1 }

func (s *describeSpec) need(map[string]bool) map[string]bool { return needOnly(s.cols...) }

func (s *describeSpec) lower(b *builder, n *node, ps, _ []pend) ([]pend, error) {
	ps = appendStep(ps, step{kind: "project", exprs: colExprs(s.cols), names: s.cols})
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	fn := "num"
	if s.strings {
		fn = "str"
	}
	k, err := b.add(&winOp{kind: "describe", fn: fn, cols: s.cols, piece: -1}, parts...)
	if err != nil {
		return nil, err
	}
	return []pend{{deps: []graph.Key{k}}}, nil
}

func runDescribe(o *winOp, in []any) (any, error) {
	r, err := projectConcat(o.cols, inputRecords(in, -1))
	if err != nil {
		return nil, err
	}
	stat := describeNumStats
	if o.fn == "str" {
		stat = describeStrStats
	}
	sb := newStrBuilder(len(stat))
	for _, st := range stat {
		sb.add([]byte(st))
	}
	fields := []arrow.Field{{Name: "stat", Type: String}}
	arrs := []arrow.Array{sb.array()}
	for j, name := range o.cols {
		c := colOf(r.Column(j))
		if o.fn == "str" {
			fields = append(fields, arrow.Field{Name: name, Type: String, Nullable: true})
			arrs = append(arrs, describeStrings(&c))
			continue
		}
		v := make([]float64, 0, c.n)
		var m stats.Moments
		for i := 0; i < c.n; i++ {
			if x, ok := presentAt(&c, i); ok {
				v = append(v, x)
				m.Add(x)
			}
		}
		out := []float64{float64(len(v)), m.Mean, math.Sqrt(m.Var(1)), math.NaN()}
		qs := stats.Quantiles(v, []float64{0, 0.25, 0.5, 0.75, 1})
		out[3] = qs[0]
		out = append(out, qs[1], qs[2], qs[3], qs[4])
		if len(v) == 0 {
			out[1] = math.NaN()
		}
		ok := make([]bool, len(out))
		for i, x := range out {
			ok[i] = !math.IsNaN(x)
		}
		fields = append(fields, arrow.Field{Name: name, Type: Float64, Nullable: true})
		arrs = append(arrs, float64Array(out, allTrueNil(ok)))
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(len(stat)))}, nil
}

// describeStrings is count, unique, top (the most frequent value, the first
// seen among ties) and freq of a string column, nulls left out.
func describeStrings(c *col) arrow.Array {
	counts := map[string]int{}
	var order []string
	n := 0
	for i := 0; i < c.n; i++ {
		if c.null(i) {
			continue
		}
		n++
		s := c.str(i)
		k, ok := counts[string(s)]
		if !ok {
			order = append(order, string(s))
		}
		counts[string(s)] = k + 1
	}
	top, freq := "", 0
	for _, s := range order {
		if counts[s] > freq {
			top, freq = s, counts[s]
		}
	}
	sb := newStrBuilder(4)
	sb.add([]byte(strconv.Itoa(n)))
	sb.add([]byte(strconv.Itoa(len(order))))
	if n == 0 {
		sb.addNull()
		sb.addNull()
	} else {
		sb.add([]byte(top))
		sb.add([]byte(strconv.Itoa(freq)))
	}
	return sb.array()
}

// modeSpec is Mode over the counts of GroupBy(col).
type modeSpec struct{ col string }

// Mode returns the most frequent values of col (all of them when several
// tie), ascending, in one column col, as pandas' Series.mode (nulls and NaN
// are not values). The counting is a groupby (partial per partition,
// merged), the picking one small task.
func (f *Frame) Mode(col string) *Frame {
	if f.err != nil {
		return f
	}
	ix := f.n.schema.FieldIndices(col)
	if len(ix) == 0 {
		return errFrame(fmt.Errorf("frame: Mode(%q): no such column (columns: %s)", col, schemaCols(f.n.schema)))
	}
	counts := f.GroupBy(col).Agg(Lit(1).Size().Alias("\x00count"))
	if counts.err != nil {
		return errFrame(fmt.Errorf("frame: Mode(%q): %w", col, counts.err))
	}
	n := &node{op: "ext", in: counts.n, schema: arrow.NewSchema([]arrow.Field{f.n.schema.Field(ix[0])}, nil)}
	n.ext = &modeSpec{col: col}
	return newFrame(n)
}

func (s *modeSpec) describe() string                     { return fmt.Sprintf("mode of %s (the largest counts)", s.col) }
func (s *modeSpec) parts(*node) int                      { return 1 }
func (s *modeSpec) need(map[string]bool) map[string]bool { return nil }

func (s *modeSpec) lower(b *builder, n *node, ps, _ []pend) ([]pend, error) {
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	k, err := b.add(&winOp{kind: "mode", cols: []string{s.col}, piece: -1}, parts...)
	if err != nil {
		return nil, err
	}
	return []pend{{deps: []graph.Key{k}}}, nil
}

func runMode(o *winOp, in []any) (any, error) {
	recs := inputRecords(in, -1)
	r, err := projectConcat([]string{o.cols[0], "\x00count"}, recs)
	if err != nil {
		return nil, err
	}
	c, cnt := colOf(r.Column(0)), colOf(r.Column(1))
	best := int64(0)
	var idx []int32
	for i := 0; i < c.n; i++ {
		if c.null(i) || (c.k == kFloat && math.IsNaN(c.f64[i])) {
			continue
		}
		switch k := cnt.i64[i]; {
		case k > best:
			best, idx = k, append(idx[:0], int32(i))
		case k == best:
			idx = append(idx, int32(i))
		}
	}
	sort.Slice(idx, func(a, b int) bool {
		i, j := int(idx[a]), int(idx[b])
		switch c.k {
		case kFloat:
			return c.f64[i] < c.f64[j]
		case kStr:
			return bytes.Compare(c.str(i), c.str(j)) < 0
		case kBool:
			return !c.boolAt(i) && c.boolAt(j)
		}
		return c.i64[i] < c.i64[j]
	})
	if idx == nil {
		idx = []int32{}
	}
	sch := arrow.NewSchema([]arrow.Field{r.Schema().Field(0)}, nil)
	return &Part{R: array.NewRecord(sch, []arrow.Array{takeCol(r.Column(0), idx)}, int64(len(idx)))}, nil
}

func init() {
	winKinds["describe"] = runDescribe
	winKinds["mode"] = runMode
}
