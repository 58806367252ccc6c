package frame

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/datetime"
)

// maxResampleBins bounds the bins a Resample may make (the empty bins
// between the first and the last are made too).
const maxResampleBins = 50_000_000

// Resampler is a Resample waiting for its aggregation.
type Resampler struct {
	f    *Frame
	freq int64 // microseconds
	on   string
	what string
	cal  calRule // a calendar rule (ResampleRule); unit calNone: fixed freq
	err  error
}

// Resample groups the rows into time bins of width freq (pandas'
// df.resample(freq)): bin b holds the timestamps t with b <= t < b+freq,
// bins aligned to the midnight of the first timestamp's day (pandas'
// default origin "start_day"; for a freq that divides a day that is the
// alignment to the Unix epoch), labelled by their start. The timestamps
// are the frame's timestamp index (SetIndex, SetSortedIndex) or the column
// given to On; a frame with neither is an
// error. Every bin from the first to the last is in the result, the empty
// ones too (null aggregates, Sum and Count 0), as in pandas. Calendar
// frequencies (months, quarters, years, weeks) and pandas' rule strings
// are ResampleRule's.
//
// On a zoned timestamp (timestamp[us, zone]) the bins are the zone's, as
// pandas': a frequency of whole days and the calendar rules bin the
// wall-clock time, so a 1-day bin in America/New_York runs from local
// midnight to local midnight (23 hours on the day clocks go forward, 25
// on the day they go back; a midnight the clocks skip starts the bin at
// the first instant after the gap); a shorter fixed frequency bins the
// instants (so the two 01:00-02:00 hours of a day clocks go back are two
// bins), aligned to the local midnight of the first timestamp's day
// (pandas' origin "start_day"). The result's timestamps keep the zone.
//
// Each partition reduces its rows to one state per bin (in runs when its
// timestamps ascend, through a table otherwise, so no sort is needed); one
// task merges the states of all partitions, bins cut by partition
// boundaries included, into a single-partition result.
func (f *Frame) Resample(freq time.Duration) *Resampler {
	r := &Resampler{f: f, freq: freq.Microseconds(), what: fmt.Sprintf("Resample(%s)", freq)}
	if r.freq <= 0 {
		r.err = fmt.Errorf("frame: %s: the frequency must be at least one microsecond", r.what)
	}
	return r
}

// On names the timestamp column to bin (instead of the index).
func (r *Resampler) On(col string) *Resampler {
	c := *r
	c.on = col
	return &c
}

type resampleSpec struct {
	fn   string
	what string
	freq int64
	cal  calRule
	on   string
	cols []string
	zone string // the zone of on ("" for naive timestamps)
}

func (r *Resampler) agg(fn, name string, cols []string) *Frame {
	if r.err != nil {
		return errFrame(r.err)
	}
	f := r.f
	if f.err != nil {
		return f
	}
	what := r.what + "." + name
	s := f.n.schema
	on := r.on
	if on == "" {
		if f.n.idx == nil || kindOf(s.Field(s.FieldIndices(f.n.idx.col)[0]).Type) != kTime {
			return errFrame(fmt.Errorf("frame: %s: needs a timestamp index (SetIndex, SetSortedIndex) or a timestamp column given with On", what))
		}
		on = f.n.idx.col
	}
	ix := s.FieldIndices(on)
	if len(ix) == 0 {
		return errFrame(fmt.Errorf("frame: %s: no column %q (columns: %s)", what, on, schemaCols(s)))
	}
	if kindOf(s.Field(ix[0]).Type) != kTime {
		return errFrame(fmt.Errorf("frame: %s: column %q is %s, not a timestamp", what, on, s.Field(ix[0]).Type))
	}
	if len(cols) == 0 && fn != "size" {
		for _, fl := range s.Fields() {
			if fl.Name != on && kindOf(fl.Type).numeric() {
				cols = append(cols, fl.Name)
			}
		}
	}
	zone := typeZone(s.Field(ix[0]).Type)
	fields := []arrow.Field{{Name: on, Type: keepZone(Timestamp, s.Field(ix[0]).Type)}}
	for _, c := range cols {
		ci := s.FieldIndices(c)
		if len(ci) == 0 {
			return errFrame(fmt.Errorf("frame: %s: no column %q (columns: %s)", what, c, schemaCols(s)))
		}
		if !kindOf(s.Field(ci[0]).Type).numeric() {
			return errFrame(fmt.Errorf("frame: %s: column %q of type %s is not numeric", what, c, s.Field(ci[0]).Type))
		}
		t := Float64
		if fn == "count" {
			t = Int64
		}
		fields = append(fields, arrow.Field{Name: c, Type: t, Nullable: true})
	}
	if fn == "size" {
		fields = append(fields, arrow.Field{Name: "size", Type: Int64})
	}
	n := &node{op: "ext", in: f.n, schema: arrow.NewSchema(fields, nil)}
	n.ext = &resampleSpec{fn: fn, what: what, freq: r.freq, cal: r.cal, on: on, cols: cols, zone: zone}
	return newFrame(n)
}

// Sum per bin of cols (all numeric columns when none), Float64; 0 for an
// empty bin.
func (r *Resampler) Sum(cols ...string) *Frame { return r.agg("sum", "Sum", cols) }

// Mean per bin (null for an empty bin).
func (r *Resampler) Mean(cols ...string) *Frame { return r.agg("mean", "Mean", cols) }

// Count of non-missing values per bin (Int64).
func (r *Resampler) Count(cols ...string) *Frame { return r.agg("count", "Count", cols) }

// Min per bin.
func (r *Resampler) Min(cols ...string) *Frame { return r.agg("min", "Min", cols) }

// Max per bin.
func (r *Resampler) Max(cols ...string) *Frame { return r.agg("max", "Max", cols) }

// First non-missing value per bin (in frame order).
func (r *Resampler) First(cols ...string) *Frame { return r.agg("first", "First", cols) }

// Last non-missing value per bin (in frame order).
func (r *Resampler) Last(cols ...string) *Frame { return r.agg("last", "Last", cols) }

// Std per bin (ddof=1).
func (r *Resampler) Std(cols ...string) *Frame { return r.agg("std", "Std", cols) }

// Var per bin (ddof=1).
func (r *Resampler) Var(cols ...string) *Frame { return r.agg("var", "Var", cols) }

// Size is the number of rows per bin, in a column "size".
func (r *Resampler) Size() *Frame { return r.agg("size", "Size", nil) }

func (s *resampleSpec) describe() string {
	return fmt.Sprintf("%s [%s] on %s (per-partition bin states, one merge)", s.what, strings.Join(s.cols, ", "), s.on)
}

func (s *resampleSpec) parts(*node) int { return 1 }

func (s *resampleSpec) need(map[string]bool) map[string]bool {
	return needOnly(append([]string{s.on}, s.cols...)...)
}

func (s *resampleSpec) op(kind string) *winOp {
	o := &winOp{kind: kind, fn: s.fn, cols: s.cols, on: s.on, names: []string{s.what}, ints: []int64{s.freq, int64(s.cal.unit), s.cal.n, b2i(s.cal.end), int64(s.cal.weekEnd)}, piece: -1}
	if s.zone == "" && s.cal.unit == calNone && usPerDay%s.freq != 0 {
		// A naive frequency that does not divide a day (7h, 2D): the
		// partitions bin on the grid of gcd(freq, day), which every
		// midnight is on, and the final task groups those bins from the
		// first timestamp's midnight (pandas' origin "start_day"), which
		// only it can tell. names[1] "": no zone.
		o.ints[0] = gcd(s.freq, usPerDay)
		o.ints = append(o.ints, zoneFine, s.freq)
		o.names = append(o.names, "")
		return o
	}
	if s.zone != "" {
		// ints[5]: the zone mode; names[1]: the zone.
		o.names = append(o.names, s.zone)
		mode, width := zoneWall, s.freq
		if s.cal.unit == calNone && s.freq%usPerDay != 0 {
			mode, width = zoneFine, gcd(s.freq, zoneGrid)
		}
		o.ints[0] = width
		o.ints = append(o.ints, mode, s.freq)
	}
	return o
}

// The zone modes of a resample of zoned timestamps: zoneWall bins the
// wall-clock times (whole days, calendar rules); zoneFine bins the
// instants in bins of a width dividing both the frequency and zoneGrid,
// which the final task groups into the frequency's bins from their local
// origin (which only the first timestamp tells).
const (
	zoneWall int64 = 1
	zoneFine int64 = 2
	// zoneGrid divides every UTC offset of today's zones (Asia/Kathmandu's
	// +05:45 included), so a local midnight falls on it.
	zoneGrid = 15 * 60e6
)

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// resampleZone is the zone mode (0: naive), the zone and the final
// frequency of a resample op.
func resampleZone(o *winOp) (int64, *datetime.Zone, int64, error) {
	if len(o.ints) < 7 || len(o.names) < 2 {
		return 0, nil, 0, nil
	}
	if o.names[1] == "" {
		return o.ints[5], nil, o.ints[6], nil // naive, on a fine grid
	}
	z, err := datetime.LoadZone(o.names[1])
	if err != nil {
		return 0, nil, 0, err
	}
	return o.ints[5], z, o.ints[6], nil
}

func (s *resampleSpec) lower(b *builder, n *node, ps, _ []pend) ([]pend, error) {
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	states := make([]graph.Key, len(parts))
	for i, p := range parts {
		if states[i], err = b.add(s.op("respart"), p); err != nil {
			return nil, err
		}
	}
	for len(states) > fanIn {
		var next []graph.Key
		for i := 0; i < len(states); i += fanIn {
			k, err := b.add(s.op("resmerge"), states[i:min(i+fanIn, len(states))]...)
			if err != nil {
				return nil, err
			}
			next = append(next, k)
		}
		states = next
	}
	k, err := b.add(s.op("resfinal"), states...)
	if err != nil {
		return nil, err
	}
	return []pend{{deps: []graph.Key{k}}}, nil
}

// binStates are the per-bin states of a Resample: bins ascending, rows per
// bin, and per column a count and two accumulators whose meaning depends
// on fn (sum: the sum; mean: sum; min/max: the extreme; first/last: the
// value; std/var: mean and sum of squared deviations).
type binStates struct {
	bins []int64
	size []int64
	cnt  [][]int64
	a, b [][]float64
}

func (st *binStates) record(cols []string) arrow.Record {
	fields := []arrow.Field{{Name: "bin", Type: Int64}, {Name: "size", Type: Int64}}
	arrs := []arrow.Array{int64Array(st.bins, nil), int64Array(st.size, nil)}
	for j, c := range cols {
		fields = append(fields, arrow.Field{Name: c + "\x00n", Type: Int64}, arrow.Field{Name: c + "\x00a", Type: Float64}, arrow.Field{Name: c + "\x00b", Type: Float64})
		arrs = append(arrs, int64Array(st.cnt[j], nil), float64Array(st.a[j], nil), float64Array(st.b[j], nil))
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(len(st.bins)))
}

func statesOf(r arrow.Record, ncols int) *binStates {
	st := &binStates{bins: colOf(r.Column(0)).i64, size: colOf(r.Column(1)).i64}
	for j := 0; j < ncols; j++ {
		st.cnt = append(st.cnt, colOf(r.Column(2+3*j)).i64)
		st.a = append(st.a, colOf(r.Column(3+3*j)).f64)
		st.b = append(st.b, colOf(r.Column(4+3*j)).f64)
	}
	return st
}

// runResamplePart reduces a partition to its bin states.
func runResamplePart(o *winOp, in []any) (any, error) {
	r := partRecord(in[0])
	freq := o.ints[0]
	cal := calOf(o)
	tc := colOf(r.Column(r.Schema().FieldIndices(o.on)[0]))
	mode, zone, _, err := resampleZone(o)
	if err != nil {
		return nil, err
	}
	if mode == zoneWall {
		// Bin the wall-clock times.
		wall := make([]int64, tc.n)
		for i := range wall {
			if !tc.null(i) {
				us := tc.i64[i]
				if us > maxZoned || us < -maxZoned {
					return nil, fmt.Errorf("frame: %s: timestamp %d: %s", o.names[0], us, tzRange)
				}
				wall[i] = zone.Wall(us)
			}
		}
		tc.i64 = wall
	}
	if cal.unit == calNone && tc.valid == nil && freq > 0 {
		if bins, starts, ok := sortedBinRuns(tc.i64[:tc.n], freq); ok { // window_resample_runs.go
			st := &binStates{bins: bins, size: make([]int64, len(bins))}
			for g := range bins {
				st.size[g] = int64(starts[g+1] - starts[g])
			}
			for _, name := range o.cols {
				c := colOf(r.Column(r.Schema().FieldIndices(name)[0]))
				cnt, a, b := make([]int64, len(bins)), make([]float64, len(bins)), make([]float64, len(bins))
				accumulateRuns(o.fn, &c, starts, cnt, a, b)
				st.cnt, st.a, st.b = append(st.cnt, cnt), append(st.a, a), append(st.b, b)
			}
			return &Part{R: st.record(o.cols)}, nil
		}
	}
	// For a calendar rule a row's bin is its period; rows are mostly in
	// time order, so the last period's bounds answer most rows.
	lo, hi, per := int64(1), int64(0), int64(0)
	n := tc.n
	// gid[i]: the state of row i; bins in order of first appearance.
	gid := make([]int32, n)
	var bins []int64
	sorted := true
	for i := 1; i < n && sorted; i++ {
		sorted = tc.i64[i] >= tc.i64[i-1]
	}
	var slot map[int64]int32
	for i := 0; i < n; i++ {
		if tc.null(i) {
			gid[i] = -1 // rows without a timestamp are in no bin (pandas drops NaT)
			continue
		}
		var bin int64
		if cal.unit == calNone {
			bin = floorDiv(tc.i64[i], freq) * freq
		} else {
			if t := tc.i64[i]; t < lo || t >= hi {
				per = cal.period(t)
				lo, hi = cal.periodStart(per), cal.periodStart(per+1)
			}
			bin = per
		}
		switch {
		case sorted:
			if len(bins) == 0 || bins[len(bins)-1] != bin {
				bins = append(bins, bin)
			}
			gid[i] = int32(len(bins) - 1)
		default:
			if slot == nil {
				slot = map[int64]int32{}
			}
			g, ok := slot[bin]
			if !ok {
				g = int32(len(bins))
				slot[bin] = g
				bins = append(bins, bin)
			}
			gid[i] = g
		}
	}
	ng := len(bins)
	st := &binStates{bins: bins, size: make([]int64, ng)}
	for _, g := range gid {
		if g >= 0 {
			st.size[g]++
		}
	}
	for _, name := range o.cols {
		c := colOf(r.Column(r.Schema().FieldIndices(name)[0]))
		cnt, a, b := make([]int64, ng), make([]float64, ng), make([]float64, ng)
		resampleAccumulate(o.fn, &c, gid, cnt, a, b)
		st.cnt, st.a, st.b = append(st.cnt, cnt), append(st.a, a), append(st.b, b)
	}
	if !sorted {
		st = st.sorted()
	}
	return &Part{R: st.record(o.cols)}, nil
}

// resampleAccumulate adds the values of c to the states of their bins.
func resampleAccumulate(fn string, c *col, gid []int32, cnt []int64, a, b []float64) {
	dense := c.k == kFloat && c.valid == nil
	for i, g := range gid {
		if g < 0 {
			continue
		}
		var v float64
		if dense {
			v = c.f64[i]
		} else {
			if c.null(i) {
				continue
			}
			v = c.float(i)
		}
		if v != v {
			continue
		}
		k := cnt[g]
		cnt[g] = k + 1
		switch fn {
		case "sum", "mean":
			a[g] += v
		case "min":
			if k == 0 || v < a[g] {
				a[g] = v
			}
		case "max":
			if k == 0 || v > a[g] {
				a[g] = v
			}
		case "first":
			if k == 0 {
				a[g] = v
			}
		case "last":
			a[g] = v
		case "std", "var":
			d := v - a[g]
			a[g] += d / float64(k+1)
			b[g] += d * (v - a[g])
		}
	}
}

// sorted returns the states with bins ascending.
func (st *binStates) sorted() *binStates {
	perm := make([]int, len(st.bins))
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(x, y int) bool { return st.bins[perm[x]] < st.bins[perm[y]] })
	out := &binStates{bins: make([]int64, len(perm)), size: make([]int64, len(perm))}
	for i, p := range perm {
		out.bins[i], out.size[i] = st.bins[p], st.size[p]
	}
	for j := range st.cnt {
		cnt, a, b := make([]int64, len(perm)), make([]float64, len(perm)), make([]float64, len(perm))
		for i, p := range perm {
			cnt[i], a[i], b[i] = st.cnt[j][p], st.a[j][p], st.b[j][p]
		}
		out.cnt, out.a, out.b = append(out.cnt, cnt), append(out.a, a), append(out.b, b)
	}
	return out
}

// mergeStates merges bin states (each ascending, in frame order) into one:
// equal bins combine, the earlier input first (for first and last).
func mergeStates(fn string, ncols int, in []*binStates) *binStates {
	var all []int64
	for _, s := range in {
		all = append(all, s.bins...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	bins := all[:0:0]
	for i, v := range all {
		if i == 0 || v != all[i-1] {
			bins = append(bins, v)
		}
	}
	ng := len(bins)
	out := &binStates{bins: bins, size: make([]int64, ng)}
	for j := 0; j < ncols; j++ {
		out.cnt, out.a, out.b = append(out.cnt, make([]int64, ng)), append(out.a, make([]float64, ng)), append(out.b, make([]float64, ng))
	}
	for _, s := range in {
		g := 0
		for i, bin := range s.bins {
			for bins[g] != bin {
				g++
			}
			out.size[g] += s.size[i]
			for j := 0; j < ncols; j++ {
				mergeBin(fn, out, g, s, i, j)
			}
		}
	}
	return out
}

// mergeBin merges state i of column j of s into state g of out.
func mergeBin(fn string, out *binStates, g int, s *binStates, i, j int) {
	n2 := s.cnt[j][i]
	if n2 == 0 {
		return
	}
	n1 := out.cnt[j][g]
	out.cnt[j][g] = n1 + n2
	a1, a2 := out.a[j][g], s.a[j][i]
	if n1 == 0 {
		out.a[j][g], out.b[j][g] = a2, s.b[j][i]
		return
	}
	switch fn {
	case "sum", "mean":
		out.a[j][g] = a1 + a2
	case "min":
		out.a[j][g] = math.Min(a1, a2)
	case "max":
		out.a[j][g] = math.Max(a1, a2)
	case "last":
		out.a[j][g] = a2
	case "std", "var":
		// Chan et al.'s pairwise update of mean and M2.
		n := float64(n1 + n2)
		d := a2 - a1
		out.a[j][g] = a1 + d*float64(n2)/n
		out.b[j][g] += s.b[j][i] + d*d*float64(n1)*float64(n2)/n
	}
}

func inputStates(o *winOp, in []any) []*binStates {
	var sts []*binStates
	for _, v := range in {
		sts = append(sts, statesOf(partRecord(v), len(o.cols)))
	}
	return sts
}

func runResampleMerge(o *winOp, in []any) (any, error) {
	return &Part{R: mergeStates(o.fn, len(o.cols), inputStates(o, in)).record(o.cols)}, nil
}

// runResampleFinal merges the states, fills the empty bins between the
// first and the last, and computes the aggregates.
func runResampleFinal(o *winOp, in []any) (any, error) {
	freq := o.ints[0]
	cal := calOf(o)
	st := mergeStates(o.fn, len(o.cols), inputStates(o, in))
	mode, zone, zfreq, err := resampleZone(o)
	if err != nil {
		return nil, err
	}
	if mode == zoneFine && len(st.bins) > 0 {
		// The bins of the frequency, from the local origin.
		origin := floorDiv(st.bins[0], usPerDay) * usPerDay // naive: the first day's midnight
		if zone != nil {
			if origin, err = zoneOrigin(st.bins[0], zfreq, zone); err != nil {
				return nil, fmt.Errorf("frame: %s: %w", o.names[0], err)
			}
		}
		st = st.fold(o.fn, len(o.cols), func(b int64) int64 { return origin + floorDiv(b-origin, zfreq)*zfreq })
		freq = zfreq
	}
	if cal.unit != calNone {
		// The states are per period: group n periods into a bin, anchored
		// at the first, and go on in bins of one "period" step of n.
		st = st.fold(o.fn, len(o.cols), func(p int64) int64 { return cal.binOf(p, st.bins[0]) })
		freq = cal.n
	}
	nb := 0
	if len(st.bins) > 0 {
		span := (st.bins[len(st.bins)-1] - st.bins[0]) / freq
		if span >= maxResampleBins {
			return nil, fmt.Errorf("frame: %s: %d bins, more than %d: use a coarser frequency", o.names[0], span+1, maxResampleBins)
		}
		nb = int(span) + 1
	}
	times := make([]int64, nb)
	for i := range times {
		times[i] = st.bins[0] + int64(i)*freq
		if cal.unit != calNone {
			times[i] = cal.label(times[i])
		}
		if mode == zoneWall {
			// A local midnight: the first instant at or after it (one the
			// clocks skip starts the bin after the gap; one they repeat,
			// the earlier).
			us, st := localize(times[i], zone.Loc, 1, 1)
			if st != tzOK {
				return nil, fmt.Errorf("frame: %s: bin %s in %s: %s", o.names[0], time.UnixMicro(times[i]).UTC().Format("2006-01-02 15:04:05"), zone.Name, st)
			}
			times[i] = us
		}
	}
	fields := []arrow.Field{{Name: o.on, Type: Timestamp}}
	arrs := []arrow.Array{timeArray(times, nil)}
	slotOf := func(i int) int { return int((st.bins[i] - st.bins[0]) / freq) }
	for j, c := range o.cols {
		if o.fn == "count" {
			vals := make([]int64, nb)
			for i := range st.bins {
				vals[slotOf(i)] = st.cnt[j][i]
			}
			fields = append(fields, arrow.Field{Name: c, Type: Int64, Nullable: true})
			arrs = append(arrs, int64Array(vals, nil))
			continue
		}
		vals, ok := make([]float64, nb), make([]bool, nb)
		for i := range st.bins {
			s, n := slotOf(i), st.cnt[j][i]
			a := st.a[j][i]
			switch o.fn {
			case "mean":
				vals[s], ok[s] = a/float64(n), n > 0
			case "std", "var":
				if n > 1 {
					v := st.b[j][i] / float64(n-1)
					if o.fn == "std" {
						v = math.Sqrt(v)
					}
					vals[s], ok[s] = v, true
				}
			default:
				vals[s], ok[s] = a, n > 0
			}
		}
		if o.fn == "sum" {
			for s := range ok {
				ok[s] = true
			}
		}
		fields = append(fields, arrow.Field{Name: c, Type: Float64, Nullable: true})
		arrs = append(arrs, float64Array(vals, allTrueNil(ok)))
	}
	if o.fn == "size" {
		vals := make([]int64, nb)
		for i := range st.bins {
			vals[slotOf(i)] = st.size[i]
		}
		fields = append(fields, arrow.Field{Name: "size", Type: Int64})
		arrs = append(arrs, int64Array(vals, nil))
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(nb))}, nil
}

func init() {
	winKinds["respart"] = runResamplePart
	winKinds["resmerge"] = runResampleMerge
	winKinds["resfinal"] = runResampleFinal
}

// zoneOrigin is the instant the bins of freq start from in zone, for a
// first bin (of the fine grid) b0: the local midnight of b0's day (pandas'
// origin "start_day").
func zoneOrigin(b0, freq int64, zone *datetime.Zone) (int64, error) {
	if b0 > maxZoned || b0 < -maxZoned {
		return 0, fmt.Errorf("timestamp %d: %s", b0, tzRange)
	}
	wall := floorDiv(zone.Wall(b0), usPerDay) * usPerDay
	origin, st := localize(wall, zone.Loc, 1, 1)
	if st != tzOK {
		return 0, fmt.Errorf("local midnight %s in %s: %s", time.UnixMicro(wall).UTC().Format("2006-01-02"), zone.Name, st)
	}
	if g := gcd(freq, zoneGrid); origin%g != 0 {
		return 0, fmt.Errorf("the UTC offset of %s at %s is not a multiple of %s (a local mean time before standard time?): bins of %s cannot start at its local midnight", zone.Name, time.UnixMicro(origin).UTC().Format("2006-01-02 15:04:05"), time.Duration(g)*time.Microsecond, time.Duration(freq)*time.Microsecond)
	}
	return origin, nil
}

// calOf is the calendar rule of a resample op (unit calNone for ops of a
// fixed frequency).
func calOf(o *winOp) calRule {
	if len(o.ints) < 5 {
		return calRule{}
	}
	r := calRule{unit: calUnit(o.ints[1]), n: o.ints[2], end: o.ints[3] != 0, weekEnd: time.Weekday(o.ints[4])}
	if r.unit < calNone || r.unit > calWeek || r.n <= 0 || r.weekEnd < 0 || r.weekEnd > 6 {
		return calRule{} // a corrupt op: read as fixed
	}
	return r
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// fold merges the states of bins that binOf maps to one bin (binOf is
// non-decreasing, so equal bins are adjacent).
func (st *binStates) fold(fn string, ncols int, binOf func(int64) int64) *binStates {
	out := &binStates{}
	for j := 0; j < ncols; j++ {
		out.cnt, out.a, out.b = append(out.cnt, nil), append(out.a, nil), append(out.b, nil)
	}
	for i, p := range st.bins {
		b := binOf(p)
		if len(out.bins) == 0 || out.bins[len(out.bins)-1] != b {
			out.bins, out.size = append(out.bins, b), append(out.size, 0)
			for j := 0; j < ncols; j++ {
				out.cnt[j], out.a[j], out.b[j] = append(out.cnt[j], 0), append(out.a[j], 0), append(out.b[j], 0)
			}
		}
		g := len(out.bins) - 1
		out.size[g] += st.size[i]
		for j := 0; j < ncols; j++ {
			mergeBin(fn, out, g, st, i, j)
		}
	}
	return out
}
