package array

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/godask/godask/graph"
)

// Exact selection by rank across chunks (the k-th smallest elements of an
// array, for Percentile, Quantile, Median and the boundaries of Sort), by a
// radix select on order-preserving 64-bit keys of the elements: four rounds
// of 16 bits each. In round r every block counts, for each distinct r·16-bit
// prefix still holding a target rank, its elements by their next 16 bits (a
// 65536-bin histogram); the histograms are summed by a tree and a small step
// task narrows every target to one more 16-bit digit. After four rounds a
// target's prefix is its whole key, which is its value. Each round reads
// every block once and keeps only histograms: memory per task is one block
// plus 512 KiB per distinct prefix.

// selectBits returns the digit width of a selection over n elements: 16
// bits (four rounds) for large arrays, 8 (eight rounds of small
// histograms) for small ones.
func selectBits(n int) int {
	if n >= 1<<20 {
		return 16
	}
	return 8
}

func init() {
	registerKernel("select-hist", selectHistKernel)
	registerKernel("select-step", selectStepKernel)
	registerKernel("quantile-final", quantileFinalKernel)
	registerKernel("quantile-axis", quantileAxisKernel)
}

// keyF maps float64 to uint64 preserving order; every NaN maps to the
// largest key (NaN sorts last, as in NumPy).
func keyF(v float64) uint64 {
	if v != v {
		return math.MaxUint64
	}
	b := math.Float64bits(v)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

func fromKeyF(k uint64) float64 {
	if k == math.MaxUint64 {
		return math.NaN()
	}
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

func keyI(v int64) uint64 { return uint64(v) ^ 1<<63 }

func fromKeyI(k uint64) int64 { return int64(k ^ 1<<63) }

// keysOf writes the keys of elements [off, off+len(dst)) of d into dst.
// Float32 keys are those of the exact float64 value, so values from keys
// come back as float64 in every float dtype.
func keysOf(d *Dense, off int, dst []uint64) {
	switch d.DType {
	case Float64:
		for i, v := range d.Data[off : off+len(dst)] {
			dst[i] = keyF(v)
		}
	case Float32:
		for i, v := range d.F32[off : off+len(dst)] {
			dst[i] = keyF(float64(v))
		}
	case Int64:
		for i, v := range d.I64[off : off+len(dst)] {
			dst[i] = keyI(v)
		}
	case Bool:
		for i, v := range d.B[off : off+len(dst)] {
			dst[i] = keyI(b2i(v))
		}
	}
}

// valueOfKey returns the value of key k for dtype dt as float64 (int64
// values are exact in the int64 result of valueOfKeyI).
func valueOfKey(dt DType, k uint64) float64 {
	if dt == Int64 || dt == Bool {
		return float64(fromKeyI(k))
	}
	return fromKeyF(k)
}

// selState is the state of a selection: per target, the key prefix found
// so far and the rank left within it.
type selState struct {
	prefix []uint64
	resid  []int64
}

func (s selState) dense() *Dense {
	d := NewDense(Int64, 2*len(s.prefix))
	for i := range s.prefix {
		d.I64[2*i] = int64(s.prefix[i])
		d.I64[2*i+1] = s.resid[i]
	}
	return d
}

func stateOf(d *Dense) (selState, error) {
	if d.DType != Int64 || d.Len()%2 != 0 {
		return selState{}, fmt.Errorf("selection state of dtype %s and %d elements", d.DType, d.Len())
	}
	n := d.Len() / 2
	s := selState{prefix: make([]uint64, n), resid: make([]int64, n)}
	for i := 0; i < n; i++ {
		s.prefix[i] = uint64(d.I64[2*i])
		s.resid[i] = d.I64[2*i+1]
	}
	return s, nil
}

// groups returns the sorted distinct prefixes of s.
func (s selState) groups() []uint64 {
	g := slices.Clone(s.prefix)
	slices.Sort(g)
	return slices.Compact(g)
}

// selectRanks adds to holder the tasks that select the elements of the
// given sorted global ranks (C order over a, all in [0, size)) and returns
// the key of the final state (a Dense: prefix, rank pairs; the prefix is
// the element's key).
func selectRanks(a *Array, holder *Array, ranks []int64) graph.Key {
	st0 := selState{prefix: make([]uint64, len(ranks)), resid: slices.Clone(ranks)}
	st := newConst(holder, st0.dense())
	bits := selectBits(a.Size())
	for r := 0; r < 64/bits; r++ {
		hs := make([]graph.Key, len(a.keys))
		for i, k := range a.keys {
			t := newTask("select-hist", []byte{byte(r), byte(bits)}, k, st)
			holder.tasks = append(holder.tasks, t)
			hs[i] = t.Key
		}
		h := sumTree(holder, hs, 8)
		t := newTask("select-step", []byte{byte(r), byte(bits)}, h, st)
		holder.tasks = append(holder.tasks, t)
		st = t.Key
	}
	return st
}

// newConst adds a task whose value is d and returns its key.
func newConst(holder *Array, d *Dense) graph.Key {
	b := FromDense(d, Regular{})
	holder.parents = append(holder.parents, b)
	return b.keys[0]
}

// sumTree adds a tree of int64 sums over keys with the given fan-in.
func sumTree(holder *Array, keys []graph.Key, fanin int) graph.Key {
	for len(keys) > 1 {
		var next []graph.Key
		for s := 0; s < len(keys); s += fanin {
			grp := keys[s:min(s+fanin, len(keys))]
			if len(grp) == 1 {
				next = append(next, grp[0])
				continue
			}
			t := newTask("reduce-combine", []byte{byte(RSum)}, grp...)
			holder.tasks = append(holder.tasks, t)
			next = append(next, t.Key)
		}
		keys = next
	}
	return keys[0]
}

// prefixTable maps the top tb bits of a key to the first group whose
// prefix (of pb bits) starts with them (-1 for none).
func prefixTable(groups []uint64, pb, tb int) []int32 {
	tbl := make([]int32, 1<<tb)
	for i := range tbl {
		tbl[i] = -1
	}
	for g := len(groups) - 1; g >= 0; g-- {
		tbl[groups[g]>>(pb-tb)] = int32(g)
	}
	return tbl
}

func selectHistKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r, bits := int(p[0]), int(p[1])
	nbins := 1 << bits
	mask := uint64(nbins - 1)
	d := in[0]
	st, err := stateOf(in[1])
	if err != nil {
		return nil, err
	}
	bshift := uint(64 - (r+1)*bits)
	if r == 0 {
		out := NewDense(Int64, nbins)
		h := out.I64
		forKeyTiles(d, func(ks []uint64) {
			for _, k := range ks {
				h[k>>bshift]++
			}
		})
		return out, nil
	}
	groups := st.groups()
	out := NewDense(Int64, len(groups)*nbins)
	h := out.I64
	pb := r * bits
	tb := min(bits, pb)
	tbl := prefixTable(groups, pb, tb)
	shift := uint(64 - pb)
	tshift := uint(64 - tb)
	gshift := uint(pb - tb)
	forKeyTiles(d, func(ks []uint64) {
		for _, k := range ks {
			g := int(tbl[k>>tshift])
			if g < 0 {
				continue
			}
			pre := k >> shift
			for g < len(groups) && groups[g] != pre {
				if groups[g]>>gshift != k>>tshift {
					g = len(groups)
					break
				}
				g++
			}
			if g >= len(groups) {
				continue
			}
			h[g*nbins+int(k>>bshift&mask)]++
		}
	})
	return out, nil
}

// forKeyTiles hands the keys of d to f a tile at a time.
func forKeyTiles(d *Dense, f func([]uint64)) {
	n := d.Len()
	buf := make([]uint64, min(n, tile))
	for s := 0; s < n; s += tile {
		b := buf[:min(tile, n-s)]
		keysOf(d, s, b)
		f(b)
	}
}

func selectStepKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r, bits := int(p[0]), int(p[1])
	nbins := 1 << bits
	h := in[0].I64
	st, err := stateOf(in[1])
	if err != nil {
		return nil, err
	}
	groups := []uint64{0}
	if r > 0 {
		groups = st.groups()
	}
	if len(h) != len(groups)*nbins {
		return nil, fmt.Errorf("selection round %d: histogram of %d bins for %d prefixes", r, len(h), len(groups))
	}
	out := selState{prefix: make([]uint64, len(st.prefix)), resid: make([]int64, len(st.prefix))}
	for i, pre := range st.prefix {
		g := sort.Search(len(groups), func(j int) bool { return groups[j] >= pre })
		hh := h[g*nbins : (g+1)*nbins]
		rem := st.resid[i]
		b := 0
		for ; b < nbins; b++ {
			if rem < hh[b] {
				break
			}
			rem -= hh[b]
		}
		if b == nbins {
			return nil, fmt.Errorf("selection round %d: rank %d beyond the %d counted elements", r, st.resid[i], st.resid[i]-rem)
		}
		out.prefix[i] = pre<<bits | uint64(b)
		out.resid[i] = rem
	}
	return out.dense(), nil
}

// Percentile returns the q-th percentiles (each in [0, 100]) of a, with
// NumPy's default 'linear' interpolation: over the whole array (flattened)
// when no axis is given, shape (len(q),); along one axis otherwise, shape
// (len(q), the other axes...). A NaN in a selection gives NaN, as in
// numpy.percentile. The whole-array percentile is exact, by a radix
// selection over the blocks (four passes that keep only histograms); along
// an axis the axis is first rechunked into one chunk (each block then holds
// whole lanes), as dask.array does for Median.
func (a *Array) Percentile(q []float64, axis ...int) *Array {
	qq := make([]float64, len(q))
	for i, v := range q {
		if !(v >= 0 && v <= 100) {
			return errArray("Percentile: q[%d] = %v is outside [0, 100]", i, v)
		}
		qq[i] = v / 100
	}
	return a.quantile("Percentile", qq, 0, axis)
}

// Quantile is Percentile with q in [0, 1] (numpy.quantile).
func (a *Array) Quantile(q []float64, axis ...int) *Array {
	for i, v := range q {
		if !(v >= 0 && v <= 1) {
			return errArray("Quantile: q[%d] = %v is outside [0, 1]", i, v)
		}
	}
	return a.quantile("Quantile", q, 0, axis)
}

// Median returns the median over the whole array, or along one axis
// (numpy.median: the mean of the two middle elements of an even count).
// Exact; see Percentile for how it is computed.
func (a *Array) Median(axis ...int) *Array {
	return a.quantile("Median", []float64{0.5}, 1, axis)
}

// quantileRanks returns the two ranks and the weight of quantile q of n
// sorted elements, as numpy's 'linear' method: virtual index (n-1)*q.
func quantileRanks(n int, q float64) (lo, hi int, gamma float64) {
	v := float64(n-1) * q
	if v >= float64(n-1) {
		return n - 1, n - 1, 0
	}
	if v < 0 {
		return 0, 0, 0
	}
	lo = int(math.Floor(v))
	return lo, lo + 1, v - float64(lo)
}

func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

func (a *Array) quantile(op string, q []float64, median byte, axis []int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown(op, a); err != nil {
		return &Array{err: err}
	}
	if len(q) == 0 && median == 0 {
		return errArray("%s: no q given", op)
	}
	if len(axis) > 1 {
		return errArray("%s of shape %s: one axis or none, not %v", op, shapeString(a.shape), axis)
	}
	odt := Float64
	if a.dtype == Float32 {
		odt = Float32
	}
	n := a.Size()
	if len(axis) == 1 {
		ax, err := normAxis(op, axis[0], len(a.shape))
		if err != nil {
			return errArray("%s of shape %s: axis %d out of range", op, shapeString(a.shape), axis[0])
		}
		return a.quantileAxis(op, q, median, ax, odt)
	}
	if n == 0 {
		return errArray("%s of an empty array of shape %s", op, shapeString(a.shape))
	}
	var ranks []int64
	for _, v := range q {
		lo, hi, _ := quantileRanks(n, v)
		if median == 1 {
			lo, hi = (n-1)/2, n/2
		}
		ranks = append(ranks, int64(lo), int64(hi))
	}
	ranks = append(ranks, int64(n-1)) // a NaN sorts last: the largest tells
	slices.Sort(ranks)
	ranks = slices.Compact(ranks)
	holder := &Array{parents: []*Array{a}}
	st := selectRanks(a, holder, ranks)
	p := []byte{byte(a.dtype), median}
	p = appendVarint(p, int64(n))
	p = appendUvarint(p, uint64(len(q)))
	for _, v := range q {
		p = appendUvarint(p, math.Float64bits(v))
	}
	t := newTask("quantile-final", p, st)
	shape := []int{len(q)}
	chunks := [][]int{{len(q)}}
	if median == 1 {
		shape, chunks = []int{}, [][]int{}
	}
	return &Array{shape: shape, chunks: chunks, dtype: odt, keys: []graph.Key{t.Key}, tasks: []*graph.Task{t}, parents: []*Array{holder}}
}

func readQuantileParams(p []byte) (DType, byte, int, []float64, error) {
	if len(p) < 2 {
		return 0, 0, 0, nil, fmt.Errorf("quantile: short parameters")
	}
	r := graph.NewReader(p[2:])
	n := int(r.Varint())
	nq := r.Uvarint()
	if nq > 1<<20 {
		return 0, 0, 0, nil, fmt.Errorf("quantile: %d quantiles", nq)
	}
	q := make([]float64, nq)
	for i := range q {
		q[i] = math.Float64frombits(r.Uvarint())
	}
	return DType(p[0]), p[1], n, q, r.Err()
}

// quantilesOf computes the quantiles q of n sorted values given by at(rank).
func quantilesOf(q []float64, median byte, n int, at func(int) float64) []float64 {
	out := make([]float64, len(q))
	nan := at(n-1) != at(n-1)
	for i, v := range q {
		switch {
		case nan:
			out[i] = math.NaN()
		case median == 1:
			lo, hi := (n-1)/2, n/2
			if lo == hi {
				out[i] = at(lo)
			} else {
				out[i] = (at(lo) + at(hi)) / 2
			}
		default:
			lo, hi, g := quantileRanks(n, v)
			out[i] = lerp(at(lo), at(hi), g)
		}
	}
	return out
}

func quantileFinalKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt, median, n, q, err := readQuantileParams(p)
	if err != nil {
		return nil, err
	}
	st, err := stateOf(in[0])
	if err != nil {
		return nil, err
	}
	// The state holds the sorted distinct ranks asked for; rebuild them.
	var ranks []int64
	for _, v := range q {
		lo, hi, _ := quantileRanks(n, v)
		if median == 1 {
			lo, hi = (n-1)/2, n/2
		}
		ranks = append(ranks, int64(lo), int64(hi))
	}
	ranks = append(ranks, int64(n-1))
	slices.Sort(ranks)
	ranks = slices.Compact(ranks)
	if len(ranks) != len(st.prefix) {
		return nil, fmt.Errorf("quantile: %d selected ranks, want %d", len(st.prefix), len(ranks))
	}
	at := func(rk int) float64 {
		i, _ := slices.BinarySearch(ranks, int64(rk))
		return valueOfKey(dt, st.prefix[i])
	}
	v := quantilesOf(q, median, n, at)
	odt := Float64
	if dt == Float32 {
		odt = Float32
	}
	shape := []int{len(q)}
	if median == 1 {
		shape = []int{}
	}
	out := NewDense(odt, shape...)
	out.storeF64(v, 0)
	return out, nil
}

// quantileAxis computes quantiles along axis ax, each block holding whole
// lanes after a rechunk of that axis into one chunk.
func (a *Array) quantileAxis(op string, q []float64, median byte, ax int, odt DType) *Array {
	if a.shape[ax] == 0 {
		return errArray("%s along axis %d of shape %s: the axis is empty", op, ax, shapeString(a.shape))
	}
	c := copyChunks(a.chunks)
	c[ax] = []int{a.shape[ax]}
	b := a.Rechunk(Explicit(c))
	if b.err != nil {
		return b
	}
	var shape []int
	var chunks [][]int
	if median == 0 {
		shape, chunks = []int{len(q)}, [][]int{{len(q)}}
	}
	for i := range a.shape {
		if i != ax {
			shape = append(shape, a.shape[i])
			chunks = append(chunks, c[i])
		}
	}
	p := []byte{byte(a.dtype), median}
	p = appendVarint(p, int64(ax))
	p = appendUvarint(p, uint64(len(q)))
	for _, v := range q {
		p = appendUvarint(p, math.Float64bits(v))
	}
	bgrid := gridShape(b.chunks)
	return build(shape, chunks, odt, []*Array{b}, func(idx []int) (string, []byte, []graph.Key) {
		full := make([]int, 0, len(a.shape))
		k := 0
		if median == 0 {
			k = 1
		}
		for i := range a.shape {
			if i == ax {
				full = append(full, 0)
			} else {
				full = append(full, idx[k])
				k++
			}
		}
		return "quantile-axis", p, []graph.Key{b.keys[flatIndex(bgrid, full)]}
	})
}

func quantileAxisKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt, median, ax, q, err := readQuantileParams(p)
	if err != nil {
		return nil, err
	}
	d := in[0]
	if ax >= len(d.Shape) {
		return nil, fmt.Errorf("quantile along axis %d of a block of shape %v", ax, d.Shape)
	}
	pre, n, post := prod(d.Shape[:ax]), d.Shape[ax], prod(d.Shape[ax+1:])
	var oshape []int
	nq := len(q)
	if median == 0 {
		oshape = append(oshape, nq)
	} else {
		nq = 1
	}
	for i, s := range d.Shape {
		if i != ax {
			oshape = append(oshape, s)
		}
	}
	odt := Float64
	if dt == Float32 {
		odt = Float32
	}
	out := NewDense(odt, oshape...)
	m := pre * post
	res := make([]float64, nq*m)
	lane := make([]uint64, n)
	one := make([]uint64, 1)
	for pi := 0; pi < pre; pi++ {
		for j := 0; j < post; j++ {
			for k := 0; k < n; k++ {
				keysOf(d, (pi*n+k)*post+j, one)
				lane[k] = one[0]
			}
			slices.Sort(lane)
			v := quantilesOf(q, median, n, func(r int) float64 { return valueOfKey(dt, lane[r]) })
			for i := 0; i < nq; i++ {
				res[i*m+pi*post+j] = v[i]
			}
		}
	}
	out.storeF64(res, 0)
	return out, nil
}
