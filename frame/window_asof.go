package frame

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// AsofOptions says how MergeAsof matches rows.
type AsofOptions struct {
	// On is the ordered key present on both sides under one name (kept
	// once); LeftOn/RightOn name it per side instead (both kept). Int64,
	// Float64 or Timestamp, the same kind on both sides. Timestamps of
	// different zones match by instant (pandas refuses different zones;
	// here the instants are what is compared, and the key kept once has
	// the left's zone); naive against zoned timestamps is an error.
	On              string
	LeftOn, RightOn string
	// By are columns that must be equal (pandas' by): a left row matches
	// only right rows of its group. Kept once.
	By []string
	// Direction is "backward" (default: the last right key <= the left
	// key), "forward" (the first >=) or "nearest" (the closer; ties go
	// backward, as pandas).
	Direction string
	// Tolerance, when positive, is the largest |left key - right key| that
	// still matches: a time.Duration for timestamps, a number otherwise.
	Tolerance any
	// ExcludeExact leaves out equal keys (pandas' allow_exact_matches=False).
	ExcludeExact bool
	// Suffixes are appended to the names of other columns present on both
	// sides; default "_x" and "_y".
	Suffixes [2]string
}

type asofSpec struct {
	lk, rk    string
	by        []string
	dir       string
	tol       float64 // 0: none; microseconds for timestamps
	hasTol    bool
	exclude   bool
	rcols     []string // the right columns kept
	outNames  []string // their names in the output
	leftNames []string // the output names of the left columns
}

// MergeAsof is pandas' merge_asof: every row of f (the left side, in its
// order and partitions) gets the columns of the right row whose key is the
// nearest before it (Direction "backward"), after it ("forward") or either
// ("nearest"), among the right rows of the same By group, within
// Tolerance; no match gives nulls. Keys must ascend within every left
// partition and over the whole right side, and hold no nulls: a row out of
// order fails the run with an error naming the side, partition and row.
//
// The right side is gathered once into one task and every left partition
// is matched against it by a merge walk (a pointer per By group moving
// forward with the left keys), so the cost is one pass over the left rows;
// the right side must fit in memory (asof joins of a large table against a
// smaller one, as trades against quotes).
func (f *Frame) MergeAsof(right *Frame, o AsofOptions) *Frame {
	if f.err != nil {
		return f
	}
	if right.err != nil {
		return right
	}
	fail := func(format string, a ...any) *Frame {
		return errFrame(fmt.Errorf("frame: MergeAsof: %s", fmt.Sprintf(format, a...)))
	}
	lk, rk := o.LeftOn, o.RightOn
	if o.On != "" {
		lk, rk = o.On, o.On
	}
	if lk == "" || rk == "" {
		return fail("give On, or LeftOn and RightOn")
	}
	ls, rs := f.n.schema, right.n.schema
	lki, rki := ls.FieldIndices(lk), rs.FieldIndices(rk)
	if len(lki) == 0 {
		return fail("no column %q on the left (columns: %s)", lk, schemaCols(ls))
	}
	if len(rki) == 0 {
		return fail("no column %q on the right (columns: %s)", rk, schemaCols(rs))
	}
	lt, rt := kindOf(ls.Field(lki[0]).Type), kindOf(rs.Field(rki[0]).Type)
	if lt != rt || (lt != kInt && lt != kFloat && lt != kTime) {
		return fail("keys %q (%s) and %q (%s) must both be Int64, Float64 or Timestamp", lk, ls.Field(lki[0]).Type, rk, rs.Field(rki[0]).Type)
	}
	if lz, rz := typeZone(ls.Field(lki[0]).Type), typeZone(rs.Field(rki[0]).Type); (lz == "") != (rz == "") {
		return fail("keys %q (%s) and %q (%s): cannot match tz-naive and tz-aware timestamps (zone %s): localize the naive side first (TZLocalize)", lk, ls.Field(lki[0]).Type, rk, rs.Field(rki[0]).Type, lz+rz)
	}
	s := &asofSpec{lk: lk, rk: rk, by: o.By, dir: o.Direction, exclude: o.ExcludeExact}
	switch s.dir {
	case "":
		s.dir = "backward"
	case "backward", "forward", "nearest":
	default:
		return fail("Direction %q: want backward, forward or nearest", o.Direction)
	}
	switch t := o.Tolerance.(type) {
	case nil:
	case time.Duration:
		if lt != kTime {
			return fail("a time.Duration Tolerance needs timestamp keys")
		}
		s.tol = float64(t.Microseconds())
	case int:
		s.tol = float64(t)
	case int64:
		s.tol = float64(t)
	case float64:
		s.tol = t
	default:
		return fail("Tolerance of type %T: want a time.Duration or a number", o.Tolerance)
	}
	s.hasTol = o.Tolerance != nil
	if s.hasTol && (s.tol < 0 || math.IsNaN(s.tol)) {
		return fail("Tolerance %v must not be negative", o.Tolerance)
	}
	if lt == kTime && s.hasTol {
		if _, ok := o.Tolerance.(time.Duration); !ok {
			return fail("Tolerance of timestamp keys must be a time.Duration")
		}
	}
	byset := map[string]bool{}
	for _, b := range o.By {
		li, ri := ls.FieldIndices(b), rs.FieldIndices(b)
		if len(li) == 0 || len(ri) == 0 {
			return fail("By column %q must be on both sides", b)
		}
		if !arrow.TypeEqual(ls.Field(li[0]).Type, rs.Field(ri[0]).Type) {
			return fail("By column %q is %s on the left, %s on the right", b, ls.Field(li[0]).Type, rs.Field(ri[0]).Type)
		}
		byset[b] = true
	}
	suf := o.Suffixes
	if suf == [2]string{} {
		suf = [2]string{"_x", "_y"}
	}
	fields := append([]arrow.Field(nil), ls.Fields()...)
	rnames := map[string]bool{}
	for _, fl := range rs.Fields() {
		rnames[fl.Name] = true
	}
	for i, fl := range fields {
		if rnames[fl.Name] && !byset[fl.Name] && !(o.On != "" && fl.Name == lk) {
			fields[i].Name = fl.Name + suf[0]
		}
	}
	lnames := map[string]bool{}
	for _, fl := range ls.Fields() {
		lnames[fl.Name] = true
	}
	for _, fl := range rs.Fields() {
		if byset[fl.Name] || (o.On != "" && fl.Name == rk) {
			continue
		}
		name := fl.Name
		if lnames[name] {
			name += suf[1]
		}
		s.rcols, s.outNames = append(s.rcols, fl.Name), append(s.outNames, name)
		fields = append(fields, arrow.Field{Name: name, Type: fl.Type, Nullable: true})
	}
	for _, fl := range fields[:len(ls.Fields())] {
		s.leftNames = append(s.leftNames, fl.Name)
	}
	seen := map[string]bool{}
	for _, fl := range fields {
		if seen[fl.Name] {
			return fail("the result would have two columns %q: set Suffixes", fl.Name)
		}
		seen[fl.Name] = true
	}
	n := &node{op: "ext", in: f.n, right: right.n, schema: arrow.NewSchema(fields, nil)}
	n.ext = s
	n.idx = f.n.idx
	return newFrame(n)
}

func (s *asofSpec) describe() string {
	by := ""
	if len(s.by) > 0 {
		by = " by [" + strings.Join(s.by, ", ") + "]"
	}
	return fmt.Sprintf("merge_asof %s on %s/%s%s (right gathered once, merge walk per left partition)", s.dir, s.lk, s.rk, by)
}

func (s *asofSpec) parts(n *node) int { return partsOf(n.in) }

func (s *asofSpec) need(map[string]bool) map[string]bool { return nil }

func (s *asofSpec) op(kind string, part int) *winOp {
	ex := int64(0)
	if s.exclude {
		ex = 1
	}
	tol := math.NaN()
	if s.hasTol {
		tol = s.tol
	}
	return &winOp{kind: kind, fn: s.dir, cols: append([]string{s.lk, s.rk}, s.by...), names: s.rcols, on: strings.Join(s.leftNames, "\x00") + "\x01" + strings.Join(s.outNames, "\x00"),
		ints: []int64{ex, int64(part)}, flts: []float64{tol}, piece: -1}
}

func (s *asofSpec) lower(b *builder, n *node, ps, rs []pend) ([]pend, error) {
	return b.eachWithGathered(ps, rs, func(i int) graph.Op { return s.op("asof", i) })
}

// eachWithGathered lowers a node whose every left partition is computed by
// one task from that partition and the whole right side, gathered once into
// one value: op(i) is the task of partition i.
func (b *builder) eachWithGathered(ps, rs []pend, op func(i int) graph.Op) ([]pend, error) {
	rkeys, err := b.matAll(rs)
	if err != nil {
		return nil, err
	}
	r := rkeys[0]
	if len(rkeys) > 1 {
		if r, err = b.add(&concatOp{}, rkeys...); err != nil {
			return nil, err
		}
	}
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	out := make([]pend, len(parts))
	for i, p := range parts {
		k, err := b.add(op(i), p, r)
		if err != nil {
			return nil, err
		}
		out[i] = pend{deps: []graph.Key{k}}
	}
	return out, nil
}

// asofKeys returns a key column as float64 (Float64 keys) or int64 values,
// checking it has no nulls and ascends.
func asofKeys(r arrow.Record, name, side string, part int) (col, error) {
	c := colOf(r.Column(r.Schema().FieldIndices(name)[0]))
	for i := 0; i < c.n; i++ {
		if c.null(i) || (c.k == kFloat && math.IsNaN(c.f64[i])) {
			return c, fmt.Errorf("frame: MergeAsof: %s key %q is missing at partition %d row %d", side, name, part, i)
		}
		if i > 0 && ((c.k == kFloat && c.f64[i] < c.f64[i-1]) || (c.k != kFloat && c.i64[i] < c.i64[i-1])) {
			return c, fmt.Errorf("frame: MergeAsof: %s key %q is not sorted at partition %d row %d: sort it first (SortValues)", side, name, part, i)
		}
	}
	return c, nil
}

// byGroups gives every row of r a group id by the By columns, ids shared
// through the table keyOf (so a left and a right row of equal By values get
// the same id); rows with a missing By value get -1.
func byGroups(r arrow.Record, by []string, ids map[string]int32, add bool) []int32 {
	n := int(r.NumRows())
	out := make([]int32, n)
	if len(by) == 0 {
		return out
	}
	cs := make([]col, len(by))
	for j, b := range by {
		cs[j] = colOf(r.Column(r.Schema().FieldIndices(b)[0]))
	}
	var buf []byte
	for i := 0; i < n; i++ {
		buf = buf[:0]
		missing := false
		for j := range cs {
			c := &cs[j]
			if c.null(i) {
				missing = true
				break
			}
			switch c.k {
			case kStr:
				s := c.str(i)
				buf = appendUvarint(buf, uint64(len(s)))
				buf = append(buf, s...)
			case kFloat:
				buf = appendUvarint(buf, math.Float64bits(c.f64[i]))
			case kBool:
				buf = append(buf, byte(btoi(c.boolAt(i))))
			default:
				buf = appendVarint(buf, c.i64[i])
			}
		}
		if missing {
			out[i] = -1
			continue
		}
		id, ok := ids[string(buf)]
		if !ok {
			if !add {
				out[i] = -1
				continue
			}
			id = int32(len(ids))
			ids[string(buf)] = id
		}
		out[i] = id
	}
	return out
}

func runAsof(o *winOp, in []any) (any, error) {
	l, r := partRecord(in[0]), partRecord(in[1])
	lk, rk, by := o.cols[0], o.cols[1], o.cols[2:]
	part := int(o.ints[1])
	exclude := o.ints[0] == 1
	tol := o.flts[0]
	lc, err := asofKeys(l, lk, "left", part)
	if err != nil {
		return nil, err
	}
	rc, err := asofKeys(r, rk, "right", 0)
	if err != nil {
		return nil, err
	}
	idx := asofWalk(o.fn, exclude, tol, &lc, &rc, l, r, by)
	n := lc.n
	fields := append([]arrow.Field(nil), l.Schema().Fields()...)
	cols := append([]arrow.Array(nil), l.Columns()...)
	names := strings.SplitN(o.on, "\x01", 2)
	for j, name := range strings.Split(names[0], "\x00") {
		if j < len(fields) {
			fields[j].Name = name
		}
	}
	var outNames []string
	if len(names) == 2 {
		outNames = strings.Split(names[1], "\x00")
	}
	for j, name := range o.names {
		a := r.Column(r.Schema().FieldIndices(name)[0])
		fields = append(fields, arrow.Field{Name: outNames[j], Type: a.DataType(), Nullable: true})
		cols = append(cols, takeCol(a, idx))
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))}, nil
}

func init() { winKinds["asof"] = runAsof }

// asofOrder is the keys of c as int64s ordered as the keys: integer and
// timestamp keys as they are, float keys by an order-preserving map of
// their bits (-0 as 0; asofKeys refused NaN).
func asofOrder(c *col) []int64 {
	if c.k != kFloat {
		return c.i64[:c.n]
	}
	out := make([]int64, c.n)
	for i, f := range c.f64[:c.n] {
		if f == 0 {
			f = 0
		}
		b := int64(math.Float64bits(f))
		if b < 0 {
			b ^= math.MaxInt64 // negatives: the larger the bits, the smaller
		}
		out[i] = b
	}
	return out
}

// asofWalk matches every left row with a right row (its index, -1 for
// none): per By group a pointer into the group's right keys moves forward
// with the left keys. The keys are compared as asofOrder's int64s, held
// contiguously per group; distances (tolerance, nearest) are the keys'
// values as float64.
func asofWalk(dir string, exclude bool, tol float64, lc, rc *col, l, r arrow.Record, by []string) []int32 {
	lkey, rkey := asofOrder(lc), asofOrder(rc)
	val := func(c *col, i int) float64 {
		if c.k == kFloat {
			return c.f64[i]
		}
		return float64(c.i64[i])
	}
	// order: the right rows grouped by By group, in key order within one;
	// start[g]: where group g's begin in order (and rkey, permuted alike).
	var lg []int32
	var order []int32
	start := []int{0, rc.n}
	if len(by) > 0 {
		ids := map[string]int32{}
		rg := byGroups(r, by, ids, true)
		lg = byGroups(l, by, ids, false)
		ng := max(len(ids), 1)
		start = make([]int, ng+1)
		for _, g := range rg {
			if g >= 0 {
				start[g+1]++
			}
		}
		for g := 0; g < ng; g++ {
			start[g+1] += start[g]
		}
		fill := append([]int(nil), start[:ng]...)
		order = make([]int32, start[ng])
		keys := make([]int64, start[ng])
		for j, g := range rg {
			if g >= 0 {
				order[fill[g]], keys[fill[g]] = int32(j), rkey[j]
				fill[g]++
			}
		}
		rkey = keys
	}
	ng := len(start) - 1
	pos := append([]int(nil), start[:ng]...) // per group: the first right key > (>= when exclusive) the last left key
	hasTol := !math.IsNaN(tol)
	ri := func(k int) int {
		if order != nil {
			return int(order[k])
		}
		return k
	}
	n := lc.n
	idx := make([]int32, n)
	if lg == nil && !hasTol && dir == "backward" {
		// The common case in a tight loop: one pointer through the right
		// keys, the last one <= (< when exclusive) each left key.
		p, hi := 0, len(rkey)
		if exclude {
			for i, v := range lkey[:n] {
				for p < hi && rkey[p] < v {
					p++
				}
				idx[i] = int32(p - 1)
			}
		} else {
			for i, v := range lkey[:n] {
				for p < hi && rkey[p] <= v {
					p++
				}
				idx[i] = int32(p - 1)
			}
		}
		return idx
	}
	for i := 0; i < n; i++ {
		g := 0
		if lg != nil {
			if g = int(lg[i]); g < 0 {
				idx[i] = -1
				continue
			}
		}
		lo, hi := start[g], start[g+1]
		v := lkey[i]
		p := pos[g]
		if exclude {
			for p < hi && rkey[p] < v {
				p++
			}
		} else {
			for p < hi && rkey[p] <= v {
				p++
			}
		}
		pos[g] = p
		back, fwd := -1, -1
		if p > lo {
			back = p - 1
		}
		if dir != "backward" {
			// forward: the first right key >= (> when exclusive) the left key.
			q := p
			if !exclude {
				for q > lo && rkey[q-1] == v {
					q--
				}
			} else {
				for q < hi && rkey[q] == v {
					q++
				}
			}
			if q < hi {
				fwd = q
			}
		}
		pick := back
		if dir != "backward" {
			pick = fwd
		}
		if dir == "nearest" && back >= 0 && fwd >= 0 {
			lv := val(lc, i)
			if val(rc, ri(fwd))-lv < lv-val(rc, ri(back)) {
				pick = fwd
			} else {
				pick = back
			}
		} else if dir == "nearest" && fwd < 0 {
			pick = back
		}
		if pick >= 0 {
			pick = ri(pick)
			if hasTol && math.Abs(val(rc, pick)-val(lc, i)) > tol {
				pick = -1
			}
		}
		idx[i] = int32(pick)
	}
	return idx
}
