package array

import (
	"fmt"
	"strings"
)

// Chunking says how an array is cut into blocks along each axis: Regular
// block sizes or Explicit chunk lengths.
type Chunking interface {
	normalize(shape []int) ([][]int, error)
}

// Regular gives one block size per axis; the last block of an axis may be
// shorter. A size <= 0 means the whole axis in one block. A Regular with
// fewer sizes than axes leaves the remaining axes whole.
type Regular []int

// Explicit gives the chunk lengths along each axis; along every axis they
// must be non-negative and sum to the axis length.
type Explicit [][]int

func (r Regular) normalize(shape []int) ([][]int, error) {
	if len(r) > len(shape) {
		return nil, fmt.Errorf("chunks %v have %d axes, shape %s has %d", []int(r), len(r), shapeString(shape), len(shape))
	}
	out := make([][]int, len(shape))
	for i, n := range shape {
		b := 0
		if i < len(r) {
			b = r[i]
		}
		out[i] = regularChunks(n, b)
	}
	return out, nil
}

func regularChunks(n, b int) []int {
	if b <= 0 || b >= n {
		return []int{n}
	}
	var c []int
	for s := 0; s < n; s += b {
		c = append(c, min(b, n-s))
	}
	return c
}

func (e Explicit) normalize(shape []int) ([][]int, error) {
	if len(e) != len(shape) {
		return nil, fmt.Errorf("chunks %v have %d axes, shape %s has %d", [][]int(e), len(e), shapeString(shape), len(shape))
	}
	out := make([][]int, len(shape))
	for i, c := range e {
		s := 0
		for _, v := range c {
			if v < 0 {
				return nil, fmt.Errorf("chunks %v: negative chunk length on axis %d", [][]int(e), i)
			}
			s += v
		}
		if s != shape[i] || (len(c) == 0 && shape[i] != 0) {
			return nil, fmt.Errorf("chunks %v do not tile shape %s: axis %d sums to %d", [][]int(e), shapeString(shape), i, s)
		}
		if len(c) == 0 {
			c = []int{0}
		}
		out[i] = append([]int{}, c...)
	}
	return out, nil
}

func checkShape(op string, shape []int) error {
	for _, s := range shape {
		if s < 0 {
			return fmt.Errorf("array: %s: negative size in shape %v", op, shape)
		}
	}
	return nil
}

// offsets returns the start of every chunk along an axis, plus the end.
func offsets(c []int) []int {
	o := make([]int, len(c)+1)
	for i, v := range c {
		o[i+1] = o[i] + v
	}
	return o
}

func gridShape(chunks [][]int) []int {
	g := make([]int, len(chunks))
	for i, c := range chunks {
		g[i] = len(c)
	}
	return g
}

// forEachBlock calls f with every block index of the grid in C order.
func forEachBlock(grid []int, f func(flat int, idx []int) error) error {
	n := prod(grid)
	idx := make([]int, len(grid))
	for flat := 0; flat < n; flat++ {
		if err := f(flat, idx); err != nil {
			return err
		}
		for d := len(grid) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < grid[d] {
				break
			}
			idx[d] = 0
		}
	}
	return nil
}

func flatIndex(grid, idx []int) int {
	f := 0
	for i, v := range idx {
		f = f*grid[i] + v
	}
	return f
}

func blockShape(chunks [][]int, idx []int) []int {
	s := make([]int, len(idx))
	for i, v := range idx {
		s[i] = chunks[i][v]
	}
	return s
}

func chunksEqual(a, b []int) bool {
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

func copyChunks(c [][]int) [][]int {
	out := make([][]int, len(c))
	for i, v := range c {
		out[i] = append([]int{}, v...)
	}
	return out
}

// lenString prints a length, Unknown as Dask prints its NaN lengths.
func lenString(n int) string {
	if n < 0 {
		return "nan"
	}
	return fmt.Sprint(n)
}

func chunksString(chunks [][]int) string {
	parts := make([]string, len(chunks))
	for i, c := range chunks {
		parts[i] = lenString(c[0])
	}
	if len(chunks) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
