package array

import (
	"fmt"

	"github.com/godask/godask/graph"
)

// Slice selects along one axis, like a Python index or slice. Build it with
// S, Step, From, To, All or At, or parse a whole index with Index.
type Slice struct {
	Start, Stop, Step int
	HasStart, HasStop bool
	IsIndex           bool // a single position: the axis is dropped
}

// S is start:stop (negative values count from the end).
func S(start, stop int) Slice {
	return Slice{Start: start, Stop: stop, Step: 1, HasStart: true, HasStop: true}
}

// Step is start:stop:step.
func Step(start, stop, step int) Slice {
	return Slice{Start: start, Stop: stop, Step: step, HasStart: true, HasStop: true}
}

// From is start: (to the end).
func From(start int) Slice { return Slice{Start: start, Step: 1, HasStart: true} }

// To is :stop.
func To(stop int) Slice { return Slice{Stop: stop, Step: 1, HasStop: true} }

// All is ":".
var All = Slice{Step: 1}

// At selects one position and drops the axis.
func At(i int) Slice { return Slice{Start: i, IsIndex: true, Step: 1} }

// indices resolves the slice on an axis of length n into start, step and
// count, with Python's rules.
func (s Slice) indices(n int) (start, step, count int, err error) {
	if s.IsIndex {
		i := s.Start
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return 0, 0, 0, fmt.Errorf("index %d out of range for axis of length %d", s.Start, n)
		}
		return i, 1, 1, nil
	}
	step = s.Step
	if step == 0 {
		return 0, 0, 0, fmt.Errorf("slice step cannot be zero")
	}
	clamp := func(v, lo, hi int) int { return max(lo, min(v, hi)) }
	var lo, hi int
	if step > 0 {
		lo, hi = 0, n
		if s.HasStart {
			lo = s.Start
			if lo < 0 {
				lo += n
			}
			lo = clamp(lo, 0, n)
		}
		if s.HasStop {
			hi = s.Stop
			if hi < 0 {
				hi += n
			}
			hi = clamp(hi, 0, n)
		}
		if hi > lo {
			// (hi-lo-1)/step+1, not (hi-lo+step-1)/step: that overflows
			// for a step near MaxInt.
			count = (hi-lo-1)/step + 1
		}
		return lo, step, count, nil
	}
	lo, hi = n-1, -1
	if s.HasStart {
		lo = s.Start
		if lo < 0 {
			lo += n
		}
		lo = clamp(lo, -1, n-1)
	}
	if s.HasStop {
		hi = s.Stop
		if hi < 0 {
			hi += n
		}
		hi = clamp(hi, -1, n-1)
	}
	if lo > hi {
		count = int(uint(lo-hi-1)/negStep(step)) + 1
	}
	return lo, step, count, nil
}

// Slice selects with one Slice per leading axis (the remaining axes are
// kept whole): x.Slice(S(10, 1000), To(-2)) is x[10:1000, :-2]. Each output
// block reads the one input block it comes from; an input block that the
// selection misses is not read.
func (a *Array) Slice(sl ...Slice) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Slice", a); err != nil {
		return &Array{err: err}
	}
	nd := len(a.shape)
	if len(sl) > nd {
		return errArray("Slice: %d indices for shape %s", len(sl), shapeString(a.shape))
	}
	for len(sl) < nd {
		sl = append(sl, All)
	}
	type axisPlan struct {
		chunks []int
		src    []int // input block per output chunk
		start  []int // local start in that block
		step   int
		drop   bool
	}
	plans := make([]axisPlan, nd)
	for d := 0; d < nd; d++ {
		st, step, cnt, err := sl[d].indices(a.shape[d])
		if err != nil {
			return errArray("Slice of shape %s, axis %d: %v", shapeString(a.shape), d, err)
		}
		off := offsets(a.chunks[d])
		p := axisPlan{step: step, drop: sl[d].IsIndex}
		// Walk the selected positions block by block.
		b := 0
		for k := 0; k < cnt; {
			pos := st + k*step
			for pos >= off[b+1] {
				b++
			}
			for pos < off[b] {
				b--
			}
			// How many selected positions fall in block b.
			var n int
			if step > 0 {
				n = (off[b+1]-pos-1)/step + 1
			} else {
				n = int(uint(pos-off[b])/negStep(step)) + 1
			}
			n = min(n, cnt-k)
			p.chunks = append(p.chunks, n)
			p.src = append(p.src, b)
			p.start = append(p.start, pos-off[b])
			k += n
		}
		if cnt == 0 {
			p.chunks = []int{0}
			p.src = []int{0}
			p.start = []int{0}
		}
		plans[d] = p
	}
	var fullChunks [][]int
	var outShape []int
	var outChunks [][]int
	for _, p := range plans {
		fullChunks = append(fullChunks, p.chunks)
		if !p.drop {
			outChunks = append(outChunks, p.chunks)
			n := 0
			for _, c := range p.chunks {
				n += c
			}
			outShape = append(outShape, n)
		}
	}
	var keys []graph.Key
	var tasks []*graph.Task
	_ = forEachBlock(gridShape(fullChunks), func(_ int, idx []int) error {
		src := make([]int, nd)
		q := piece{SrcStart: make([]int, nd), SrcStep: make([]int, nd), DstStart: make([]int, nd), Size: make([]int, nd)}
		var bs []int
		for d, p := range plans {
			src[d] = p.src[idx[d]]
			q.SrcStart[d] = p.start[idx[d]]
			q.SrcStep[d] = p.step
			q.Size[d] = p.chunks[idx[d]]
			if !p.drop {
				bs = append(bs, p.chunks[idx[d]])
			}
		}
		pp := encodePieces(a.dtype, q.Size, []piece{q})
		t := newTask("assemble", pp, a.blockKey(src))
		t2 := newTask("reshape", appendInts(nil, bs), t.Key)
		tasks = append(tasks, t, t2)
		keys = append(keys, t2.Key)
		return nil
	})
	return &Array{shape: outShape, chunks: outChunks, dtype: a.dtype, keys: keys, tasks: tasks, parents: []*Array{a}}
}

// negStep returns -step for a negative step as an unsigned number (exact
// for math.MinInt too).
func negStep(step int) uint { return uint(-(step + 1)) + 1 }

// Take selects positions along axis (negative positions count from the
// end), like numpy.take. Output blocks have the input's chunk size along the
// axis; each reads the input blocks its positions fall in.
func (a *Array) Take(axis int, positions []int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Take", a); err != nil {
		return &Array{err: err}
	}
	nd := len(a.shape)
	ax, err := normAxis("Take", axis, nd)
	if err != nil {
		return errArray("Take of shape %s: axis %d out of range", shapeString(a.shape), axis)
	}
	n := a.shape[ax]
	pos := make([]int, len(positions))
	for i, p := range positions {
		if p < 0 {
			p += n
		}
		if p < 0 || p >= n {
			return errArray("Take of shape %s along axis %d: index %d out of range", shapeString(a.shape), axis, positions[i])
		}
		pos[i] = p
	}
	off := offsets(a.chunks[ax])
	blockOf := func(p int) int {
		b := 0
		for p >= off[b+1] {
			b++
		}
		return b
	}
	size := max(1, a.chunks[ax][0])
	chunks := copyChunks(a.chunks)
	chunks[ax] = regularChunks(len(pos), size)
	if len(pos) == 0 {
		chunks[ax] = []int{0}
	}
	shape := append([]int{}, a.shape...)
	shape[ax] = len(pos)
	return build(shape, chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		s := 0
		for _, c := range chunks[ax][:idx[ax]] {
			s += c
		}
		bs := blockShape(chunks, idx)
		var deps []graph.Key
		depOf := map[int]int{}
		var ps []piece
		for k := 0; k < bs[ax]; k++ {
			p := pos[s+k]
			b := blockOf(p)
			di, ok := depOf[b]
			if !ok {
				src := append([]int{}, idx...)
				src[ax] = b
				di = len(deps)
				depOf[b] = di
				deps = append(deps, a.blockKey(src))
			}
			q := piece{In: di, SrcStart: make([]int, nd), SrcStep: ones(nd), DstStart: make([]int, nd), Size: append([]int{}, bs...)}
			q.SrcStart[ax] = p - off[b]
			q.DstStart[ax] = k
			q.Size[ax] = 1
			ps = append(ps, q)
		}
		return "assemble", encodePieces(a.dtype, bs, ps), deps
	})
}

// Compress keeps the positions along axis where mask is true, like
// numpy.compress (x[mask] for a concrete boolean mask).
func (a *Array) Compress(axis int, mask []bool) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Compress", a); err != nil {
		return &Array{err: err}
	}
	ax, err := normAxis("Compress", axis, len(a.shape))
	if err != nil {
		return errArray("Compress of shape %s: axis %d out of range", shapeString(a.shape), axis)
	}
	if len(mask) != a.shape[ax] {
		return errArray("Compress of shape %s along axis %d: mask of length %d", shapeString(a.shape), axis, len(mask))
	}
	var pos []int
	for i, m := range mask {
		if m {
			pos = append(pos, i)
		}
	}
	return a.Take(ax, pos)
}
