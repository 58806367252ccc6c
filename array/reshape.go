package array

import (
	"fmt"
	"strings"

	"github.com/godask/godask/graph"
)

// Reshape returns the array with another shape of the same size, in C order;
// one length may be -1 (inferred from the others). Like Dask, it reshapes
// block by block, one task per block and no data moved between blocks, which
// the chunking must allow. Matching the two shapes' axes (those of length 1
// aside) in groups of equal product:
//
//   - a group that merges several input axes into one output axis needs every
//     input axis but the group's first in one chunk ((6, 5, 4) in chunks
//     (2, 5, 4) reshapes to (30, 4) in chunks (10, 4));
//   - a group that splits into several output axes needs every chunk of its
//     (merged) input to hold a whole number of the trailing output axes'
//     elements ((30, 4) in chunks (10, 4) reshapes to (6, 5, 4)).
//
// Otherwise Reshape fails with an error naming the shapes and chunks and a
// Rechunk that makes the reshape possible. An array in one block always
// reshapes; an array with Unknown chunk lengths never does.
func (a *Array) Reshape(shape ...int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Reshape", a); err != nil {
		return &Array{err: err}
	}
	shape = append([]int{}, shape...)
	neg := -1
	known := 1
	for i, s := range shape {
		switch {
		case s == -1 && neg < 0:
			neg = i
		case s < 0:
			return errArray("Reshape %s to %v: negative size", shapeString(a.shape), shape)
		default:
			known *= s
		}
	}
	if neg >= 0 {
		if known == 0 || a.Size()%known != 0 {
			return errArray("Reshape %s to %v: cannot infer the -1 axis", shapeString(a.shape), shape)
		}
		shape[neg] = a.Size() / known
	}
	if prod(shape) != a.Size() {
		return errArray("Reshape: cannot reshape array of shape %s (size %d) into shape %s", shapeString(a.shape), a.Size(), shapeString(shape))
	}
	if len(a.keys) == 1 {
		return build(shape, ones2(shape), a.dtype, []*Array{a}, func([]int) (string, []byte, []graph.Key) {
			return "reshape", appendInts(nil, shape), []graph.Key{a.keys[0]}
		})
	}
	if a.Size() <= 1 {
		// Empty or a single element in several (empty) blocks: one block.
		return a.Rechunk(Regular(nil)).Reshape(shape...)
	}
	plan, err := planReshape(a.shape, a.chunks, shape)
	if err != nil {
		return &Array{err: err}
	}
	return build(shape, plan.chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		src := make([]int, len(a.shape))
		for _, g := range plan.groups {
			src[g.in[0]] = idx[g.out[0]]
		}
		return "reshape", appendInts(nil, blockShape(plan.chunks, idx)), []graph.Key{a.blockKey(src)}
	})
}

// reshapeGroup pairs input axes in with output axes out of equal product.
type reshapeGroup struct{ in, out []int }

type reshapePlan struct {
	groups []reshapeGroup
	chunks [][]int // output chunks
}

// planReshape matches the axes of length > 1 of the two shapes (of equal,
// non-zero size) in groups and derives the output chunks, or says which
// Rechunk would make a blockwise reshape possible.
func planReshape(in []int, chunks [][]int, out []int) (*reshapePlan, error) {
	var ia, oa []int
	for i, s := range in {
		if s != 1 {
			ia = append(ia, i)
		}
	}
	for i, s := range out {
		if s != 1 {
			oa = append(oa, i)
		}
	}
	p := &reshapePlan{chunks: ones2(out)}
	for i, j := 0, 0; i < len(ia) && j < len(oa); i, j = i+1, j+1 {
		g := reshapeGroup{in: []int{ia[i]}, out: []int{oa[j]}}
		pi, po := in[ia[i]], out[oa[j]]
		for pi != po {
			if i+1 >= len(ia) && j+1 >= len(oa) {
				return nil, fmt.Errorf("array: Reshape %s to %s: sizes differ", shapeString(in), shapeString(out))
			}
			if pi < po && i+1 < len(ia) || j+1 >= len(oa) {
				i++
				pi *= in[ia[i]]
				g.in = append(g.in, ia[i])
			} else {
				j++
				po *= out[oa[j]]
				g.out = append(g.out, oa[j])
			}
		}
		p.groups = append(p.groups, g)
	}
	var why []string
	for i, s := range in {
		if s == 1 && len(chunks[i]) != 1 {
			why = append(why, fmt.Sprintf("axis %d of length 1 is in %d chunks", i, len(chunks[i])))
		}
	}
	for _, g := range p.groups {
		r, q := 1, 1
		for _, ax := range g.in[1:] {
			r *= in[ax]
			if len(chunks[ax]) != 1 {
				why = append(why, fmt.Sprintf("input axis %d is merged into output axis %d and must be in one chunk", ax, g.out[0]))
			}
		}
		for _, ax := range g.out[1:] {
			q *= out[ax]
		}
		var c0 []int
		for _, c := range chunks[g.in[0]] {
			if c*r%q != 0 {
				why = append(why, fmt.Sprintf("chunks of input axis %d (%v) must be multiples of %d to split into output axes %v", g.in[0], chunks[g.in[0]], q/gcd(q, r), g.out))
				break
			}
			c0 = append(c0, c*r/q)
		}
		p.chunks[g.out[0]] = c0
		for _, ax := range g.out[1:] {
			p.chunks[ax] = []int{out[ax]}
		}
	}
	if len(why) == 0 {
		return p, nil
	}
	return nil, fmt.Errorf("array: Reshape %s (chunks %v) to %s: the chunking does not allow a blockwise reshape (%s); rechunk first, e.g. .Rechunk(array.Regular%s)",
		shapeString(in), chunks, shapeString(out), strings.Join(why, "; "), regularString(suggestReshapeChunks(in, chunks, out, p.groups)))
}

// suggestReshapeChunks returns regular chunk sizes of the input that make
// the reshape blockwise: merged axes whole, and the first axis of every group
// cut in multiples of what the split needs, close to its current chunk size.
func suggestReshapeChunks(in []int, chunks [][]int, out []int, groups []reshapeGroup) []int {
	s := make([]int, len(in))
	for i, c := range chunks {
		s[i] = max(c[0], 1)
	}
	for _, g := range groups {
		r, q := 1, 1
		for _, ax := range g.in[1:] {
			r *= in[ax]
			s[ax] = in[ax]
		}
		for _, ax := range g.out[1:] {
			q *= out[ax]
		}
		l := q / gcd(q, r)
		ax := g.in[0]
		s[ax] = min(in[ax], max(l, (s[ax]+l-1)/l*l))
	}
	for i, n := range in {
		if n == 1 {
			s[i] = 1
		}
	}
	return s
}

func regularString(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
