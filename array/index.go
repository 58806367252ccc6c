package array

import (
	"fmt"
	"strconv"
	"strings"

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
			count = (hi - lo + step - 1) / step
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
		count = (lo - hi + (-step) - 1) / (-step)
	}
	return lo, step, count, nil
}

// Index parses a NumPy index such as "10:1000, :-2", "::-1, 3" or
// "..., 0" and applies it (see Slice).
func (a *Array) Index(expr string) *Array {
	if a.err != nil {
		return a
	}
	parts := strings.Split(expr, ",")
	var sl []Slice
	ell := -1
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "..." {
			if ell >= 0 {
				return errArray("Index %q: more than one ellipsis", expr)
			}
			ell = len(sl)
			continue
		}
		if p == "" && len(parts) == 1 {
			continue
		}
		s, err := parseSlice(p)
		if err != nil {
			return errArray("Index %q: %v", expr, err)
		}
		sl = append(sl, s)
	}
	if ell >= 0 {
		fill := len(a.shape) - len(sl)
		if fill < 0 {
			fill = 0
		}
		rest := append([]Slice{}, sl[ell:]...)
		sl = sl[:ell]
		for i := 0; i < fill; i++ {
			sl = append(sl, All)
		}
		sl = append(sl, rest...)
	}
	return a.Slice(sl...)
}

func parseSlice(p string) (Slice, error) {
	f := strings.Split(p, ":")
	if len(f) > 3 {
		return Slice{}, fmt.Errorf("bad slice %q", p)
	}
	num := func(s string) (int, bool, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, false, nil
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			return 0, false, fmt.Errorf("bad number %q", s)
		}
		return v, true, nil
	}
	if len(f) == 1 {
		v, ok, err := num(f[0])
		if err != nil || !ok {
			return Slice{}, fmt.Errorf("bad index %q", p)
		}
		return At(v), nil
	}
	var s Slice
	var err error
	if s.Start, s.HasStart, err = num(f[0]); err != nil {
		return s, err
	}
	if s.Stop, s.HasStop, err = num(f[1]); err != nil {
		return s, err
	}
	s.Step = 1
	if len(f) == 3 {
		v, ok, err := num(f[2])
		if err != nil {
			return s, err
		}
		if ok {
			s.Step = v
		}
	}
	return s, nil
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
				n = (off[b+1] - pos + step - 1) / step
			} else {
				n = (pos-off[b])/(-step) + 1
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
