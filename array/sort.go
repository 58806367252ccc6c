package array

import (
	"context"
	"fmt"
	"slices"

	"github.com/godask/godask/graph"
)

// Sorting: Sort, ArgSort and TopK along an axis, on the order-preserving
// keys of selection.go (NaN last, as NumPy), with an LSD radix sort of the
// keys per block.
//
// Along an axis held in one chunk every block sorts its own lanes. A 1-d
// array in several chunks is sample-free sorted in parallel into blocks of
// the same chunks: the exact global ranks where the output blocks start are
// selected by the radix selection (four histogram passes), every input block
// then scatters its keys to the output blocks they belong to (ties at a
// boundary split in input order, so the sort is stable), and every output
// block radix-sorts the pieces it receives. No task holds more than one
// input block or one output block plus its pieces: memory is about twice
// the array in total, as for any out-of-place sort. An N-d array sorted
// along a chunked axis is first rechunked to one chunk along that axis.

func init() {
	registerKernel("sort-lanes", sortLanesKernel)
	registerKernel("sort-count", sortCountKernel)
	registerKernel("sort-ties", sortTiesKernel)
	registerKernel("sort-partition", sortPartitionKernel)
	registerKernel("sort-piece", sortPieceKernel)
	registerKernel("sort-merge", sortMergeKernel)
	registerKernel("topk", topkKernel)
}

// radixSortKeys sorts keys ascending, carrying idx along when it is not nil
// (stable: equal keys keep their order). Digits of 11 bits; a digit that is
// the same in every key is skipped.
func radixSortKeys(keys []uint64, idx []int64) {
	n := len(keys)
	if n < 64 {
		if idx == nil {
			slices.Sort(keys)
			return
		}
		// insertion sort, stable
		for i := 1; i < n; i++ {
			k, x := keys[i], idx[i]
			j := i - 1
			for ; j >= 0 && keys[j] > k; j-- {
				keys[j+1], idx[j+1] = keys[j], idx[j]
			}
			keys[j+1], idx[j+1] = k, x
		}
		return
	}
	const bits = 11
	const nb = 1 << bits
	const passes = (64 + bits - 1) / bits
	var counts [passes][nb]int
	for _, k := range keys {
		for p := 0; p < passes; p++ {
			counts[p][k>>(p*bits)&(nb-1)]++
		}
	}
	src, dst := keys, make([]uint64, n)
	var isrc, idst []int64
	if idx != nil {
		isrc, idst = idx, make([]int64, n)
	}
	for p := 0; p < passes; p++ {
		c := &counts[p]
		skip := false
		for _, v := range c {
			if v == n {
				skip = true
				break
			}
			if v != 0 {
				break
			}
		}
		if skip {
			continue
		}
		off := 0
		for i, v := range c {
			c[i] = off
			off += v
		}
		sh := uint(p * bits)
		if isrc == nil {
			for _, k := range src {
				d := k >> sh & (nb - 1)
				dst[c[d]] = k
				c[d]++
			}
		} else {
			for i, k := range src {
				d := k >> sh & (nb - 1)
				dst[c[d]] = k
				idst[c[d]] = isrc[i]
				c[d]++
			}
			isrc, idst = idst, isrc
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
		if idx != nil {
			copy(idx, isrc)
		}
	}
}

// Sort returns a sorted along axis (numpy.sort; NaN last). See the comment
// at the top of sort.go for how a chunked axis is sorted.
func (a *Array) Sort(axis int) *Array { return a.sortAxis("Sort", axis, false) }

// ArgSort returns the int64 indices that sort a along axis (a stable sort:
// numpy.argsort(kind="stable")).
func (a *Array) ArgSort(axis int) *Array { return a.sortAxis("ArgSort", axis, true) }

func (a *Array) sortAxis(op string, axis int, arg bool) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown(op, a); err != nil {
		return &Array{err: err}
	}
	ax, err := normAxis(op, axis, len(a.shape))
	if err != nil {
		return errArray("%s of shape %s: axis %d out of range", op, shapeString(a.shape), axis)
	}
	odt := a.dtype
	if arg {
		odt = Int64
	}
	if len(a.shape) == 1 && len(a.chunks[0]) > 1 {
		return a.sortChunked(arg, odt)
	}
	b := a
	if len(a.chunks[ax]) > 1 {
		c := copyChunks(a.chunks)
		c[ax] = []int{a.shape[ax]}
		b = a.Rechunk(Explicit(c))
	}
	p := []byte{byte(ax), byte(b2i(arg))}
	return build(b.shape, b.chunks, odt, []*Array{b}, func(idx []int) (string, []byte, []graph.Key) {
		return "sort-lanes", p, []graph.Key{b.blockKey(idx)}
	})
}

// lanes calls f with the key (and position) buffers of every lane of d
// along ax, and writes the buffers back through put.
func sortLanesKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	ax, arg := int(p[0]), p[1] == 1
	d := in[0]
	if ax >= len(d.Shape) {
		return nil, fmt.Errorf("sort along axis %d of a block of shape %v", ax, d.Shape)
	}
	pre, n, post := prod(d.Shape[:ax]), d.Shape[ax], prod(d.Shape[ax+1:])
	all := make([]uint64, d.Len())
	keysOf(d, 0, all)
	odt := d.DType
	if arg {
		odt = Int64
	}
	out := NewDense(odt, d.Shape...)
	ks := make([]uint64, n)
	var ix []int64
	if arg {
		ix = make([]int64, n)
	}
	for pi := 0; pi < pre; pi++ {
		for j := 0; j < post; j++ {
			for k := 0; k < n; k++ {
				ks[k] = all[(pi*n+k)*post+j]
				if arg {
					ix[k] = int64(k)
				}
			}
			radixSortKeys(ks, ix)
			for k := 0; k < n; k++ {
				o := (pi*n+k)*post + j
				if arg {
					out.I64[o] = ix[k]
				} else {
					setFromKey(out, o, ks[k])
				}
			}
		}
	}
	return out, nil
}

func setFromKey(d *Dense, o int, k uint64) {
	switch d.DType {
	case Float64:
		d.Data[o] = fromKeyF(k)
	case Float32:
		d.F32[o] = float32(fromKeyF(k))
	case Int64:
		d.I64[o] = fromKeyI(k)
	case Bool:
		d.B[o] = fromKeyI(k) != 0
	}
}

// sortChunked sorts a 1-d array of several chunks into the same chunks.
func (a *Array) sortChunked(arg bool, odt DType) *Array {
	c := a.chunks[0]
	off := offsets(c)
	holder := &Array{parents: []*Array{a}}
	// Boundary ranks: where output blocks 1..P-1 start (skipping empty
	// blocks, whose boundaries coincide with the next).
	var ranks []int64
	for j := 1; j < len(c); j++ {
		if off[j] < a.shape[0] {
			ranks = append(ranks, int64(off[j]))
		}
	}
	ranks = slices.Compact(ranks)
	var st graph.Key
	if len(ranks) > 0 {
		st = selectRanks(a, holder, ranks)
	} else {
		st = newConst(holder, selState{}.dense())
	}
	// Counts of the boundary keys per block, then per block the copies of
	// each boundary key in the blocks before it.
	var cnts []graph.Key
	for _, k := range a.keys {
		t := newTask("sort-count", nil, k, st)
		holder.tasks = append(holder.tasks, t)
		cnts = append(cnts, t.Key)
	}
	ties := newTask("sort-ties", nil, append([]graph.Key{st}, cnts...)...)
	holder.tasks = append(holder.tasks, ties)
	P := len(c)
	pp := appendInts([]byte{byte(b2i(arg))}, off)
	parts := make([]graph.Key, len(a.keys))
	for i, k := range a.keys {
		t := newTask("sort-partition", appendVarint(slices.Clip(pp), int64(i)), k, st, ties.Key)
		holder.tasks = append(holder.tasks, t)
		parts[i] = t.Key
	}
	return build(a.shape, a.chunks, odt, []*Array{holder}, func(idx []int) (string, []byte, []graph.Key) {
		j := idx[0]
		var deps []graph.Key
		for i := range parts {
			t := newTask("sort-piece", appendVarint(appendVarint(nil, int64(P)), int64(j)), parts[i])
			holder.tasks = append(holder.tasks, t)
			deps = append(deps, t.Key)
		}
		return "sort-merge", []byte{byte(a.dtype), byte(b2i(arg))}, deps
	})
}

func sortCountKernel(_ context.Context, _ []byte, in []*Dense) (*Dense, error) {
	st, err := stateOf(in[1])
	if err != nil {
		return nil, err
	}
	out := NewDense(Int64, len(st.prefix))
	if len(st.prefix) == 0 {
		return out, nil
	}
	var bloom [1 << 10]uint64 // a bit per low 16 bits of a boundary key
	for _, k := range st.prefix {
		bloom[k>>6&(1<<10-1)] |= 1 << (k & 63)
	}
	forKeyTiles(in[0], func(ks []uint64) {
		for _, k := range ks {
			if bloom[k>>6&(1<<10-1)]&(1<<(k&63)) == 0 {
				continue
			}
			if i, ok := slices.BinarySearch(st.prefix, k); ok {
				// every boundary with this key counts it
				for ; i < len(st.prefix) && st.prefix[i] == k; i++ {
					out.I64[i]++
				}
			}
		}
	})
	return out, nil
}

// sortTiesKernel returns, per input block and boundary, how many copies of
// the boundary's key the blocks before it hold: shape (blocks, boundaries).
func sortTiesKernel(_ context.Context, _ []byte, in []*Dense) (*Dense, error) {
	nb := in[0].Len() / 2
	out := NewDense(Int64, len(in)-1, nb)
	acc := make([]int64, nb)
	for i, d := range in[1:] {
		copy(out.I64[i*nb:], acc)
		for j, v := range d.I64 {
			acc[j] += v
		}
	}
	return out, nil
}

// sortPartitionKernel scatters the keys of input block i (with their global
// positions for ArgSort) grouped by output block: an int64 Dense holding the
// keys, then the positions (ArgSort), then P+1 group offsets.
func sortPartitionKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	arg := p[0] == 1
	r := graph.NewReader(p[1:])
	off := readInts(r)
	bi := int(r.Varint())
	if r.Err() != nil {
		return nil, r.Err()
	}
	st, err := stateOf(in[1])
	if err != nil {
		return nil, err
	}
	ties := in[2]
	nb := len(st.prefix)
	before := ties.I64[bi*nb : (bi+1)*nb]
	// Copies of boundary j's key that go before boundary j, counted from
	// the start of this block.
	br := make([]int64, nb)
	for j := range br {
		br[j] = st.resid[j] - before[j]
	}
	P := len(off) - 1
	d := in[0]
	n := d.Len()
	keys := make([]uint64, n)
	keysOf(d, 0, keys)
	dest := make([]int32, n)
	cnt := make([]int, P+1)
	seen := map[uint64]int64{}
	bk := st.prefix
	for i, k := range keys {
		lo, hi := 0, nb
		for lo < hi {
			m := (lo + hi) / 2
			if bk[m] < k {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < nb && bk[lo] == k {
			c := seen[k]
			seen[k] = c + 1
			for lo < nb && bk[lo] == k && br[lo] <= c {
				lo++
			}
		}
		dest[i] = int32(lo)
		cnt[lo]++
	}
	// Map boundary counts to output blocks: boundary b starts at rank
	// ranks[b]; output block j starts at off[j].
	ranks := make([]int, 0, nb)
	for j := 1; j < P; j++ {
		if off[j] < off[P] && (len(ranks) == 0 || ranks[len(ranks)-1] != off[j]) {
			ranks = append(ranks, off[j])
		}
	}
	blockOf := make([]int, nb+1) // group b -> the output block it fills
	for b := 0; b <= nb; b++ {
		start := 0
		if b > 0 {
			start = ranks[b-1]
		}
		for j := 0; j < P; j++ {
			if off[j] == start && off[j+1] > start {
				blockOf[b] = j
				break
			}
		}
	}
	goff := make([]int, P+1)
	for b := 0; b <= nb; b++ {
		goff[blockOf[b]+1] += cnt[b]
	}
	for j := 1; j <= P; j++ {
		goff[j] += goff[j-1]
	}
	m := 1
	if arg {
		m = 2
	}
	out := NewDense(Int64, m*n+P+1)
	pos := append([]int{}, goff[:P]...)
	for i, k := range keys {
		j := blockOf[dest[i]]
		out.I64[pos[j]] = int64(k)
		if arg {
			out.I64[n+pos[j]] = int64(off[bi] + i)
		}
		pos[j]++
	}
	for j, v := range goff {
		out.I64[m*n+j] = int64(v)
	}
	return out, nil
}

// sortPieceKernel cuts the group of output block j out of a partition:
// keys, then positions when the partition holds them.
func sortPieceKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	P, j := int(r.Varint()), int(r.Varint())
	if r.Err() != nil {
		return nil, r.Err()
	}
	x := in[0].I64
	tot := len(x) - (P + 1)
	goff := x[tot:]
	n := int(goff[P])
	m := tot / max(n, 1)
	if n == 0 {
		m = 1
	}
	s, e := int(goff[j]), int(goff[j+1])
	out := NewDense(Int64, m*(e-s))
	copy(out.I64, x[s:e])
	if m == 2 {
		copy(out.I64[e-s:], x[n+s:n+e])
	}
	return out, nil
}

func sortMergeKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt, arg := DType(p[0]), p[1] == 1
	m := 1
	if arg {
		m = 2
	}
	n := 0
	for _, d := range in {
		n += d.Len() / m
	}
	keys := make([]uint64, 0, n)
	var idx []int64
	if arg {
		idx = make([]int64, 0, n)
	}
	for _, d := range in {
		k := d.Len() / m
		for _, v := range d.I64[:k] {
			keys = append(keys, uint64(v))
		}
		if arg {
			idx = append(idx, d.I64[k:]...)
		}
	}
	radixSortKeys(keys, idx)
	if arg {
		out := NewDense(Int64, n)
		copy(out.I64, idx)
		return out, nil
	}
	out := NewDense(dt, n)
	if dt == Float64 {
		for i, k := range keys {
			out.Data[i] = fromKeyF(k)
		}
		return out, nil
	}
	for i, k := range keys {
		setFromKey(out, i, k)
	}
	return out, nil
}

// TopK returns the k largest elements along axis, largest first, or for a
// negative k the -k smallest, smallest first (dask.array.topk; NaN counts
// as the largest). Each block keeps its own top k and a tree along the axis
// merges them, so a chunked axis needs no rechunk.
func (a *Array) TopK(k, axis int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("TopK", a); err != nil {
		return &Array{err: err}
	}
	ax, err := normAxis("TopK", axis, len(a.shape))
	if err != nil {
		return errArray("TopK of shape %s: axis %d out of range", shapeString(a.shape), axis)
	}
	kk := k
	if kk < 0 {
		kk = -kk
	}
	if k == 0 || kk > a.shape[ax] {
		return errArray("TopK: k = %d for axis %d of length %d (need 1 <= |k| <= length)", k, ax, a.shape[ax])
	}
	grid := gridShape(a.chunks)
	shape := append([]int{}, a.shape...)
	shape[ax] = kk
	chunks := copyChunks(a.chunks)
	chunks[ax] = []int{kk}
	holder := &Array{parents: []*Array{a}}
	p := appendVarint(appendVarint(nil, int64(k)), int64(ax))
	return build(shape, chunks, a.dtype, []*Array{holder}, func(idx []int) (string, []byte, []graph.Key) {
		var level []graph.Key
		full := append([]int{}, idx...)
		for b := 0; b < grid[ax]; b++ {
			full[ax] = b
			level = append(level, a.keys[flatIndex(grid, full)])
		}
		for len(level) > 8 {
			var next []graph.Key
			for s := 0; s < len(level); s += 8 {
				t := newTask("topk", p, level[s:min(s+8, len(level))]...)
				holder.tasks = append(holder.tasks, t)
				next = append(next, t.Key)
			}
			level = next
		}
		return "topk", append(slices.Clip(p), 1), level
	})
}

// topkKernel concatenates its inputs along the axis and keeps the top k of
// every lane (in order: largest first, or smallest first for k < 0); a
// trailing 1 in the parameters marks the final step.
func topkKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	k, ax := int(r.Varint()), int(r.Varint())
	if r.Err() != nil {
		return nil, r.Err()
	}
	kk := k
	if kk < 0 {
		kk = -kk
	}
	d0 := in[0]
	if ax >= len(d0.Shape) {
		return nil, fmt.Errorf("topk along axis %d of a block of shape %v", ax, d0.Shape)
	}
	pre, post := prod(d0.Shape[:ax]), prod(d0.Shape[ax+1:])
	n := 0
	all := make([][]uint64, len(in))
	for i, d := range in {
		n += d.Shape[ax]
		all[i] = make([]uint64, d.Len())
		keysOf(d, 0, all[i])
	}
	m := min(kk, n)
	shape := append([]int{}, d0.Shape...)
	shape[ax] = m
	out := NewDense(d0.DType, shape...)
	lane := make([]uint64, 0, n)
	for pi := 0; pi < pre; pi++ {
		for j := 0; j < post; j++ {
			lane = lane[:0]
			for i, d := range in {
				nd := d.Shape[ax]
				for q := 0; q < nd; q++ {
					lane = append(lane, all[i][(pi*nd+q)*post+j])
				}
			}
			slices.Sort(lane)
			for q := 0; q < m; q++ {
				key := lane[q]
				if k > 0 {
					key = lane[len(lane)-1-q]
				}
				setFromKey(out, (pi*m+q)*post+j, key)
			}
		}
	}
	return out, nil
}

// Diff returns the n-th discrete difference along axis (numpy.diff): out[i]
// = a[i+1] - a[i], applied n times, so the axis shrinks by n (to 0 at
// least). It is built from slices and elementwise subtraction, so it stays
// lazy and chunked.
func (a *Array) Diff(n, axis int) *Array {
	if a.err != nil {
		return a
	}
	if n < 0 {
		return errArray("Diff: order n = %d must be non-negative", n)
	}
	ax, err := normAxis("Diff", axis, len(a.shape))
	if err != nil {
		return errArray("Diff of shape %s: axis %d out of range", shapeString(a.shape), axis)
	}
	if err := needKnown("Diff", a); err != nil {
		return &Array{err: err}
	}
	out := a
	for i := 0; i < n; i++ {
		l := out.shape[ax]
		if l == 0 {
			break
		}
		hi := make([]Slice, len(a.shape))
		lo := make([]Slice, len(a.shape))
		for d := range hi {
			hi[d], lo[d] = S(0, out.shape[d]), S(0, out.shape[d])
		}
		hi[ax], lo[ax] = S(1, l), S(0, l-1)
		if out.dtype == Bool {
			out = out.Slice(hi...).Ne(out.Slice(lo...))
		} else {
			out = out.Slice(hi...).Sub(out.Slice(lo...))
		}
	}
	return out
}
