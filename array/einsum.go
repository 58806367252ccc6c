package array

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/godask/godask/graph"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

func init() {
	registerKernel("einsum", einsumKernel)
	registerKernel("einsum_add", einsumAddKernel)
	registerKernel("diagaxes", diagAxesKernel)
}

// einsumGroup is how many block products one task sums before a tree of
// additions combines the tasks of an output block.
const einsumGroup = 8

// Einsum evaluates the Einstein summation convention on the operands, like
// numpy.einsum and dask.array.einsum: "ij,jk->ik" (matrix product),
// "ij,ij->i" (row-wise dot), "ii->i" (diagonal), "ij->" (sum), "...ij,...jk"
// (batched, the ellipsis broadcast). Without "->" the output is the
// ellipsis axes then the labels appearing once, in alphabetical order.
// Labels are ASCII letters; an axis of length 1 broadcasts against the same
// label elsewhere.
//
// The operands are contracted pairwise in a greedy order that keeps every
// intermediate smallest (numpy's "greedy" path), each pairwise step a blocked
// product: one task per output block and group of up to 8 block products
// along the contracted labels, then a tree of block additions, so no task
// holds more than a few blocks. Labels shared by operands take the chunks of
// the first operand that has them (the others are rechunked). float64 and
// float32 compute in float64 (a float32 result is rounded after each
// pairwise step); int64 and
// bool compute in int64, wrapping on overflow like NumPy; a bool result is
// true where the integer sum is non-zero (NumPy's logical einsum). The result
// dtype is the promotion of the operands'.
func Einsum(subscripts string, ops ...*Array) *Array {
	if err := firstErr(ops...); err != nil {
		return &Array{err: err}
	}
	if err := needKnown("Einsum", ops...); err != nil {
		return &Array{err: err}
	}
	fail := func(format string, args ...any) *Array {
		return errArray("Einsum %q: "+format, append([]any{subscripts}, args...)...)
	}
	if len(ops) == 0 {
		return fail("no operands")
	}
	spec := strings.ReplaceAll(subscripts, " ", "")
	lhs, rhs, explicit := strings.Cut(spec, "->")
	if strings.Contains(rhs, "->") {
		return fail("more than one \"->\"")
	}
	terms := strings.Split(lhs, ",")
	if len(terms) != len(ops) {
		return fail("%d operand subscripts for %d operands", len(terms), len(ops))
	}
	// Labels: letters as themselves; ellipsis axes as runes from 0x100 on,
	// right-aligned across operands.
	const ellBase = 0x100
	parseTerm := func(t string) (labels []rune, ell int, err error) {
		ell = -1
		rest := t
		for len(rest) > 0 {
			if strings.HasPrefix(rest, "...") {
				if ell >= 0 {
					return nil, 0, fmt.Errorf("more than one ellipsis in %q", t)
				}
				ell = len(labels)
				rest = rest[3:]
				continue
			}
			c := rune(rest[0])
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return nil, 0, fmt.Errorf("bad subscript %q in %q (letters and ... only)", string(c), t)
			}
			labels = append(labels, c)
			rest = rest[1:]
		}
		return labels, ell, nil
	}
	maxEll := 0
	opLabels := make([][]rune, len(ops))
	for k, t := range terms {
		labels, ell, err := parseTerm(t)
		if err != nil {
			return fail("%v", err)
		}
		nd := len(ops[k].shape)
		if ell < 0 {
			if len(labels) != nd {
				return fail("operand %d has %d axes but subscripts %q name %d", k, nd, t, len(labels))
			}
			opLabels[k] = labels
			continue
		}
		e := nd - len(labels)
		if e < 0 {
			return fail("operand %d has %d axes but subscripts %q name %d", k, nd, t, len(labels))
		}
		maxEll = max(maxEll, e)
		full := append([]rune{}, labels[:ell]...)
		for i := 0; i < e; i++ {
			full = append(full, -1-rune(e-i)) // placeholder, fixed below
		}
		opLabels[k] = append(full, labels[ell:]...)
	}
	for k := range opLabels {
		for i, l := range opLabels[k] {
			if l < 0 {
				opLabels[k][i] = ellBase + rune(maxEll) + l + 1 // -1-j -> ellBase+maxEll-j
			}
		}
	}
	var ellLabels []rune
	for j := maxEll; j >= 1; j-- {
		ellLabels = append(ellLabels, ellBase+rune(maxEll-j))
	}
	count := map[rune]int{}
	for _, ls := range opLabels {
		for _, l := range ls {
			count[l]++
		}
	}
	var out []rune
	if explicit {
		labels, ell, err := parseTerm(rhs)
		if err != nil {
			return fail("output: %v", err)
		}
		if ell >= 0 {
			out = append(append(append(out, labels[:ell]...), ellLabels...), labels[ell:]...)
		} else {
			out = labels
			if maxEll > 0 {
				return fail("the operands have ellipsis axes but the output has no \"...\"")
			}
		}
		seen := map[rune]bool{}
		for _, l := range out {
			if seen[l] {
				return fail("output label %q repeated", string(l))
			}
			seen[l] = true
			if count[l] == 0 {
				return fail("output label %q is not in any operand", string(l))
			}
		}
	} else {
		out = append(out, ellLabels...)
		var once []rune
		for l, c := range count {
			if c == 1 && l < ellBase {
				once = append(once, l)
			}
		}
		sort.Slice(once, func(i, j int) bool { return once[i] < once[j] })
		out = append(out, once...)
	}
	// Label sizes and broadcasting.
	size := map[rune]int{}
	for k, ls := range opLabels {
		for i, l := range ls {
			n := ops[k].shape[i]
			if s, ok := size[l]; ok && s != n && s != 1 && n != 1 {
				return fail("label %q has length %d in one operand and %d in operand %d", labelName(l), s, n, k)
			}
			if s, ok := size[l]; !ok || s == 1 {
				size[l] = n
			}
		}
	}
	type operand struct {
		a      *Array
		labels []rune
	}
	cur := make([]operand, len(ops))
	for k, a := range ops {
		ls := opLabels[k]
		// Repeated labels within an operand: take the diagonal.
		for {
			i, j := repeatedLabel(ls)
			if i < 0 {
				break
			}
			if a.shape[i] != a.shape[j] {
				return fail("operand %d repeats label %q on axes of lengths %d and %d", k, string(ls[i]), a.shape[i], a.shape[j])
			}
			a = takeDiagonal(a, i, j)
			ls = append(append([]rune{}, ls[:j]...), ls[j+1:]...)
		}
		// A broadcast axis of length 1 is dropped: the label's other
		// operands carry it.
		var drop []int
		for i, l := range ls {
			if a.shape[i] == 1 && size[l] != 1 {
				drop = append(drop, i)
			}
		}
		if len(drop) > 0 {
			a = a.Squeeze(drop...)
			var kept []rune
			for i, l := range ls {
				if !contains(drop, i) {
					kept = append(kept, l)
				}
			}
			ls = kept
		}
		cur[k] = operand{a, ls}
	}
	// An output label of length 1 may have been dropped everywhere.
	var missing []rune
	for _, l := range out {
		found := false
		for _, o := range cur {
			if containsRune(o.labels, l) {
				found = true
			}
		}
		if !found {
			missing = append(missing, l)
		}
	}
	// Unify chunks per label (the first operand holding it wins).
	chunkOf := map[rune][]int{}
	for k := range cur {
		want := make(Explicit, len(cur[k].labels))
		for i, l := range cur[k].labels {
			if c, ok := chunkOf[l]; ok {
				want[i] = c
			} else {
				chunkOf[l] = cur[k].a.chunks[i]
				want[i] = cur[k].a.chunks[i]
			}
		}
		cur[k].a = cur[k].a.Rechunk(want)
		if cur[k].a.err != nil {
			return cur[k].a
		}
	}
	dt := ops[0].dtype
	for _, a := range ops[1:] {
		dt = promote(dt, a.dtype)
	}
	outSet := func(rest []operand, skip1, skip2 int) map[rune]bool {
		need := map[rune]bool{}
		for _, l := range out {
			need[l] = true
		}
		for k, o := range rest {
			if k == skip1 || k == skip2 {
				continue
			}
			for _, l := range o.labels {
				need[l] = true
			}
		}
		return need
	}
	resultLabels := func(x, y []rune, need map[rune]bool) []rune {
		var r []rune
		for _, l := range append(append([]rune{}, x...), y...) {
			if need[l] && !containsRune(r, l) {
				r = append(r, l)
			}
		}
		return r
	}
	for len(cur) > 1 {
		bi, bj, best := 0, 1, -1.0
		for i := 0; i < len(cur); i++ {
			for j := i + 1; j < len(cur); j++ {
				rl := resultLabels(cur[i].labels, cur[j].labels, outSet(cur, i, j))
				s := 1.0
				for _, l := range rl {
					s *= float64(size[l])
				}
				if best < 0 || s < best {
					bi, bj, best = i, j, s
				}
			}
		}
		rl := resultLabels(cur[bi].labels, cur[bj].labels, outSet(cur, bi, bj))
		c := contractBlocks(cur[bi].a, cur[bi].labels, cur[bj].a, cur[bj].labels, rl, chunkOf, size, dt)
		if c.err != nil {
			return c
		}
		next := []operand{{c, rl}}
		for k, o := range cur {
			if k != bi && k != bj {
				next = append(next, o)
			}
		}
		cur = next
	}
	var final []rune
	for _, l := range out {
		if containsRune(cur[0].labels, l) {
			final = append(final, l)
		}
	}
	res := cur[0].a
	if !runesEqual(final, cur[0].labels) {
		res = contractBlocks(res, cur[0].labels, nil, nil, final, chunkOf, size, dt)
	} else if res.dtype != dt {
		res = res.AsType(dt)
	}
	if len(missing) > 0 {
		var axes []int
		for i, l := range out {
			if containsRune(missing, l) {
				axes = append(axes, i)
			}
		}
		res = res.ExpandDims(axes...)
	}
	return res
}

func labelName(l rune) string {
	if l >= 0x100 {
		return "..."
	}
	return string(l)
}

func repeatedLabel(ls []rune) (int, int) {
	for i := range ls {
		for j := i + 1; j < len(ls); j++ {
			if ls[i] == ls[j] {
				return i, j
			}
		}
	}
	return -1, -1
}

func containsRune(s []rune, r rune) bool {
	for _, v := range s {
		if v == r {
			return true
		}
	}
	return false
}

func runesEqual(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// takeDiagonal keeps the elements of a whose positions along axes i and j
// (same length) are equal, dropping axis j.
func takeDiagonal(a *Array, i, j int) *Array {
	want := make(Explicit, len(a.shape))
	for k := range want {
		want[k] = a.chunks[k]
	}
	want[j] = a.chunks[i]
	a = a.Rechunk(want)
	if a.err != nil {
		return a
	}
	nd := len(a.shape)
	shape := append(append([]int{}, a.shape[:j]...), a.shape[j+1:]...)
	chunks := append(copyChunks(a.chunks[:j]), copyChunks(a.chunks[j+1:])...)
	return build(shape, chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		src := make([]int, 0, nd)
		src = append(src, idx[:j]...)
		src = append(src, idx[i])
		src = append(src, idx[j:]...)
		return "diagaxes", appendInts(nil, []int{i, j}), []graph.Key{a.blockKey(src)}
	})
}

func diagAxesKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	v := readInts(graph.NewReader(p))
	d := in[0]
	if len(v) != 2 || v[1] >= len(d.Shape) || v[0] >= v[1] || d.Shape[v[0]] != d.Shape[v[1]] {
		return nil, fmt.Errorf("diagaxes: bad parameters")
	}
	i, j := v[0], v[1]
	shape := append(append([]int{}, d.Shape[:j]...), d.Shape[j+1:]...)
	out := NewDense(d.DType, shape...)
	_ = forEachBlock(shape, func(flat int, idx []int) error {
		off := 0
		for k, x := range idx {
			kk := k
			if k >= j {
				kk = k + 1
			}
			off += x * d.Strides[kk]
		}
		off += idx[i] * d.Strides[j]
		out.copyRange(flat, d, off, 1)
		return nil
	})
	return out, nil
}

// contractBlocks is one pairwise einsum step over blocks: c[lc] = sum over
// the other labels of a[la]*b[lb] (b nil: a unary sum and transpose).
func contractBlocks(a *Array, la []rune, b *Array, lb []rune, lc []rune, chunkOf map[rune][]int, size map[rune]int, dt DType) *Array {
	all := append(append([]rune{}, la...), lb...)
	var contr []rune
	for _, l := range all {
		if !containsRune(lc, l) && !containsRune(contr, l) {
			contr = append(contr, l)
		}
	}
	shape := make([]int, len(lc))
	chunks := make([][]int, len(lc))
	for i, l := range lc {
		shape[i] = size[l]
		chunks[i] = chunkOf[l]
	}
	cgrid := make([]int, len(contr))
	for i, l := range contr {
		cgrid[i] = len(chunkOf[l])
	}
	parents := []*Array{a}
	if b != nil {
		parents = append(parents, b)
	}
	code := func(ls []rune) []int {
		v := make([]int, len(ls))
		for i, l := range ls {
			v[i] = int(l)
		}
		return v
	}
	blockIdx := func(ls []rune, outIdx, cIdx []int) []int {
		idx := make([]int, len(ls))
		for i, l := range ls {
			for k, m := range lc {
				if m == l {
					idx[i] = outIdx[k]
				}
			}
			for k, m := range contr {
				if m == l {
					idx[i] = cIdx[k]
				}
			}
		}
		return idx
	}
	var extra []*graph.Task
	res := build(shape, chunks, dt, parents, func(idx []int) (string, []byte, []graph.Key) {
		bs := blockShape(chunks, idx)
		head := []byte{byte(dt)}
		head = appendInts(head, bs)
		head = appendInts(head, code(la))
		head = appendInts(head, code(lb))
		head = appendInts(head, code(lc))
		if b == nil {
			head = append(head, 1)
		} else {
			head = append(head, 2)
		}
		var partial []graph.Key
		var deps []graph.Key
		flush := func() {
			t := newTask("einsum", head, deps...)
			extra = append(extra, t)
			partial = append(partial, t.Key)
			deps = nil
		}
		_ = forEachBlock(cgrid, func(_ int, ci []int) error {
			deps = append(deps, a.blockKey(blockIdx(la, idx, ci)))
			if b != nil {
				deps = append(deps, b.blockKey(blockIdx(lb, idx, ci)))
			}
			if len(deps) >= einsumGroup*len(parents) {
				flush()
			}
			return nil
		})
		if len(deps) > 0 || len(partial) == 0 {
			flush()
		}
		for len(partial) > einsumGroup {
			var next []graph.Key
			for s := 0; s < len(partial); s += einsumGroup {
				t := newTask("einsum_add", []byte{byte(dt)}, partial[s:min(s+einsumGroup, len(partial))]...)
				extra = append(extra, t)
				next = append(next, t.Key)
			}
			partial = next
		}
		if len(partial) == 1 {
			// The last partial is the block itself: re-emit it as the block's
			// task (build wants one task per block).
			last := extra[len(extra)-1]
			extra = extra[:len(extra)-1]
			return last.Op.(*blockOp).kind, last.Op.(*blockOp).p, last.Deps
		}
		return "einsum_add", []byte{byte(dt)}, partial
	})
	res.tasks = append(res.tasks, extra...)
	return res
}

// einsumCompute is the per-pair working type: int64 for integers and bools,
// float64 otherwise.
func einsumInt(dt DType) bool { return dt == Int64 || dt == Bool }

func einsumKernel(ctx context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt := DType(p[0])
	r := graph.NewReader(p[1:])
	bs := readInts(r)
	la, lb, lc := readInts(r), readInts(r), readInts(r)
	arity := int(r.Byte())
	if r.Err() != nil || arity < 1 || arity > 2 || len(in)%arity != 0 {
		return nil, fmt.Errorf("einsum: bad parameters")
	}
	isInt := einsumInt(dt)
	var acc *Dense
	for s := 0; s < len(in); s += arity {
		var c *Dense
		var err error
		if arity == 1 {
			c, err = einsumUnary(in[s], la, lc, isInt)
		} else {
			// The first product may be written into the task's region of
			// the result (when its dtype is the result's): later ones add.
			alloc := NewDense
			if s == 0 && !isInt && dt == Float64 {
				alloc = func(d DType, shape ...int) *Dense { return outDense(ctx, d, shape...) }
			}
			c, err = einsumPair(in[s], la, in[s+1], lb, lc, isInt, alloc)
		}
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = c
		} else {
			addInto(acc, c)
		}
	}
	if acc == nil {
		if isInt {
			acc = NewDense(Int64, bs...)
		} else {
			acc = NewDense(Float64, bs...)
		}
	}
	if !chunksEqual(acc.Shape, bs) {
		return nil, fmt.Errorf("einsum: block of shape %v, want %v", acc.Shape, bs)
	}
	return acc.convert(dt), nil
}

func einsumAddKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt := DType(p[0])
	if len(in) == 0 {
		return nil, fmt.Errorf("einsum_add: no inputs")
	}
	w := Float64
	if einsumInt(dt) {
		w = Int64
	}
	acc := NewDense(w, in[0].Shape...)
	for _, d := range in {
		if !chunksEqual(d.Shape, acc.Shape) {
			return nil, fmt.Errorf("einsum_add: blocks of shapes %v and %v", acc.Shape, d.Shape)
		}
		// Partials are stored in the result dtype; bool partials lose their
		// counts, which is fine: a bool result only asks "non-zero?".
		addInto(acc, d.convert(w))
	}
	return acc.convert(dt), nil
}

// addInto adds src (the working dtype of dst) into dst.
func addInto(dst, src *Dense) {
	if dst.DType == Int64 {
		for i, v := range src.I64 {
			dst.I64[i] += v
		}
		return
	}
	for i, v := range src.Data {
		dst.Data[i] += v
	}
}

func toWork(d *Dense, isInt bool) *Dense {
	if isInt {
		if d.DType == Float64 || d.DType == Float32 {
			return d.convert(Float64)
		}
		return d.convert(Int64)
	}
	return d.convert(Float64)
}

// sumOut sums d over the axes whose labels are not in keep, returning the
// reduced block and its labels.
func sumOut(d *Dense, ls []int, keep func(int) bool) (*Dense, []int) {
	var kl []int
	var kept []int
	for i, l := range ls {
		if keep(l) {
			kl = append(kl, l)
			kept = append(kept, i)
		}
	}
	if len(kl) == len(ls) {
		return d, ls
	}
	shape := make([]int, len(kept))
	for i, ax := range kept {
		shape[i] = d.Shape[ax]
	}
	out := NewDense(d.DType, shape...)
	ost := make([]int, len(ls)) // output stride per input axis (0 if summed)
	for i, ax := range kept {
		ost[ax] = out.Strides[i]
	}
	_ = forEachBlock(d.Shape, func(flat int, idx []int) error {
		off := 0
		for ax, v := range idx {
			off += v * ost[ax]
		}
		if d.DType == Int64 {
			out.I64[off] += d.I64[flat]
		} else {
			out.Data[off] += d.Data[flat]
		}
		return nil
	})
	return out, kl
}

// permuteTo returns d with its axes in the order of want (a permutation of
// ls).
func permuteTo(d *Dense, ls, want []int) *Dense {
	perm := make([]int, len(want))
	same := true
	for i, l := range want {
		for j, m := range ls {
			if m == l {
				perm[i] = j
			}
		}
		if perm[i] != i {
			same = false
		}
	}
	if same {
		return d
	}
	return transposeDense(d, perm)
}

func einsumUnary(a *Dense, la, lc []int, isInt bool) (*Dense, error) {
	if len(la) != len(a.Shape) {
		return nil, fmt.Errorf("einsum: block of %d axes for %d labels", len(a.Shape), len(la))
	}
	w := toWork(a, isInt)
	s, ls := sumOut(w, la, func(l int) bool { return containsInt(lc, l) })
	return permuteTo(s, ls, lc), nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func einsumPair(a *Dense, la []int, b *Dense, lb []int, lc []int, isInt bool, alloc func(DType, ...int) *Dense) (*Dense, error) {
	if len(la) != len(a.Shape) || len(lb) != len(b.Shape) {
		return nil, fmt.Errorf("einsum: blocks of shapes %v and %v for labels %v and %v", a.Shape, b.Shape, la, lb)
	}
	wa, wb := toWork(a, isInt), toWork(b, isInt)
	if wa.DType != wb.DType {
		wa, wb = wa.convert(Float64), wb.convert(Float64)
	}
	// Labels only in one operand and not kept are summed first.
	wa, la = sumOut(wa, la, func(l int) bool { return containsInt(lc, l) || containsInt(lb, l) })
	wb, lb = sumOut(wb, lb, func(l int) bool { return containsInt(lc, l) || containsInt(la, l) })
	var batch, freeA, freeB, contr []int
	dim := map[int]int{}
	for i, l := range la {
		dim[l] = wa.Shape[i]
		switch {
		case containsInt(lb, l) && containsInt(lc, l):
			batch = append(batch, l)
		case containsInt(lb, l):
			contr = append(contr, l)
		default:
			freeA = append(freeA, l)
		}
	}
	for i, l := range lb {
		dim[l] = wb.Shape[i]
		if !containsInt(la, l) {
			freeB = append(freeB, l)
		}
	}
	n := func(ls []int) int {
		p := 1
		for _, l := range ls {
			p *= dim[l]
		}
		return p
	}
	nb, m, k, nn := n(batch), n(freeA), n(contr), n(freeB)
	pa := permuteTo(wa, la, append(append(append([]int{}, batch...), freeA...), contr...))
	pb := permuteTo(wb, lb, append(append(append([]int{}, batch...), contr...), freeB...))
	cl := append(append(append([]int{}, batch...), freeA...), freeB...)
	cshape := make([]int, len(cl))
	for i, l := range cl {
		cshape[i] = dim[l]
	}
	var c *Dense
	if equalInts(cl, lc) {
		c = alloc(pa.DType, cshape...) // the result block itself: no permutation follows
	} else {
		c = NewDense(pa.DType, cshape...)
	}
	if c.DType == Int64 {
		A, B, C := pa.I64, pb.I64, c.I64
		for t := 0; t < nb; t++ {
			at, bt, ct := A[t*m*k:(t+1)*m*k], B[t*k*nn:(t+1)*k*nn], C[t*m*nn:(t+1)*m*nn]
			for i := 0; i < m; i++ {
				for q := 0; q < k; q++ {
					av := at[i*k+q]
					if av == 0 {
						continue
					}
					row := bt[q*nn : (q+1)*nn]
					cr := ct[i*nn : (i+1)*nn]
					for j, bv := range row {
						cr[j] += av * bv
					}
				}
			}
		}
	} else {
		A, B, C := pa.Data, pb.Data, c.Data
		switch {
		case m == 1 && nn == 1:
			rowdot(C[:nb], A[:nb*k], B[:nb*k], k)
		case m*nn*k >= 4096:
			for t := 0; t < nb; t++ {
				ga := blas64.General{Rows: m, Cols: k, Stride: max(k, 1), Data: A[t*m*k : (t+1)*m*k]}
				gb := blas64.General{Rows: k, Cols: nn, Stride: max(nn, 1), Data: B[t*k*nn : (t+1)*k*nn]}
				gc := blas64.General{Rows: m, Cols: nn, Stride: max(nn, 1), Data: C[t*m*nn : (t+1)*m*nn]}
				if m > 0 && nn > 0 && k > 0 {
					blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, gb, 0, gc)
				}
			}
		default:
			for t := 0; t < nb; t++ {
				at, bt, ct := A[t*m*k:(t+1)*m*k], B[t*k*nn:(t+1)*k*nn], C[t*m*nn:(t+1)*m*nn]
				for i := 0; i < m; i++ {
					cr := ct[i*nn : (i+1)*nn]
					for q := 0; q < k; q++ {
						av := at[i*k+q]
						row := bt[q*nn : (q+1)*nn]
						for j, bv := range row {
							cr[j] += av * bv
						}
					}
				}
			}
		}
	}
	return permuteTo(c, cl, lc), nil
}

// equalInts reports whether a and b hold the same values in the same order.
func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
