package array

import (
	"math/rand"
	"strings"
	"testing"
)

// randShapeOf returns a random shape of size n (axes of length 1 included).
func randShapeOf(rng *rand.Rand, n int) []int {
	var s []int
	for n > 1 {
		var divs []int
		for d := 2; d <= n; d++ {
			if n%d == 0 {
				divs = append(divs, d)
			}
		}
		d := divs[rng.Intn(len(divs))]
		s = append(s, d)
		n /= d
		if rng.Intn(5) == 0 {
			s = append(s, 1)
		}
	}
	if len(s) == 0 {
		s = []int{1}
	}
	return s
}

func randChunking(rng *rand.Rand, shape []int) Chunking {
	switch rng.Intn(3) {
	case 0:
		return irregular(rng, shape)
	case 1:
		r := make(Regular, len(shape))
		for i, n := range shape {
			r[i] = 1 + rng.Intn(n)
		}
		return r
	}
	r := make(Regular, len(shape))
	for i, n := range shape {
		if i > 0 {
			r[i] = n // only the first axis cut
		} else {
			r[i] = 1 + rng.Intn(n)
		}
	}
	return r
}

// TestReshapeBlockwise reshapes random chunkings to random shapes of the
// same size: the result is the flat data in the new shape, computed one task
// per input block; a refused reshape names the op and shapes, and the
// suggested Rechunk makes it work.
func TestReshapeBlockwise(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	sizes := []int{24, 36, 60, 64, 90, 7, 120}
	ok, refused := 0, 0
	for iter := 0; iter < 300; iter++ {
		n := sizes[rng.Intn(len(sizes))]
		in, out := randShapeOf(rng, n), randShapeOf(rng, n)
		d := randDense(rng, in...)
		x := FromDense(d, randChunking(rng, in))
		r := x.Reshape(out...)
		if err := r.Err(); err != nil {
			refused++
			msg := err.Error()
			for _, w := range []string{"Reshape", shapeString(in), shapeString(out), "Rechunk(array.Regular{"} {
				if !strings.Contains(msg, w) {
					t.Fatalf("%v to %v: error %q does not mention %q", in, out, msg, w)
				}
			}
			p, perr := planReshape(in, x.chunks, out)
			if p != nil || perr == nil {
				t.Fatal("planReshape disagrees with Reshape")
			}
			// The plan's groups are what the suggestion is built from.
			var groups []reshapeGroup
			{
				q, _ := planReshape(in, ones2(in), out)
				groups = q.groups
			}
			sug := suggestReshapeChunks(in, x.chunks, out, groups)
			if !strings.Contains(msg, regularString(sug)) {
				t.Fatalf("message %q lacks suggestion %v", msg, sug)
			}
			x = x.Rechunk(Regular(sug))
			r = x.Reshape(out...)
			if r.Err() != nil {
				t.Fatalf("%v to %v after the suggested Rechunk%v: %v", in, out, sug, r.Err())
			}
		} else {
			ok++
		}
		if len(x.keys) > 1 && (r.NumBlocks() != x.NumBlocks() || r.parents[0] != x) {
			t.Fatalf("%v (chunks %v) to %v: not blockwise (%d blocks from %d)", in, x.chunks, out, r.NumBlocks(), x.NumBlocks())
		}
		assertClose(t, "reshape", mustCompute(t, r), out, d.Data)
	}
	if ok < 30 || refused < 30 {
		t.Fatalf("%d reshapes done, %d refused: the random cases miss a side", ok, refused)
	}
	// The -1 axis and the examples of the doc comment.
	x := FromDense(randDense(rng, 6, 5, 4), Regular{2, 5, 4})
	if c := x.Reshape(-1, 4).Chunks(); !chunksEq2(c, [][]int{{10, 10, 10}, {4}}) {
		t.Fatalf("(6, 5, 4) chunks (2, 5, 4) to (30, 4): chunks %v", c)
	}
	if c := x.Reshape(-1, 4).Reshape(6, 5, 4).Chunks(); !chunksEq2(c, [][]int{{2, 2, 2}, {5}, {4}}) {
		t.Fatalf("back to (6, 5, 4): chunks %v", c)
	}
	if err := x.Reshape(5, -1, 5).Err(); err == nil || !strings.Contains(err.Error(), "cannot infer") {
		t.Fatalf("uninferable -1: %v", err)
	}
	if err := FromDense(randDense(rng, 6, 5, 4), Regular{2, 2, 4}).Reshape(30, 4).Err(); err == nil ||
		!strings.Contains(err.Error(), "input axis 1 is merged into output axis 0 and must be in one chunk") {
		t.Fatalf("merge of a chunked axis: %v", err)
	}
}
