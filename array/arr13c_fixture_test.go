package array

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// numpyFixtures are the answers of testdata/gen_arr13c.py (NumPy 1.24).
type numpyFixtures struct {
	Pad []struct {
		Shape    []int    `json:"shape"`
		Mode     string   `json:"mode"`
		Width    [2]int   `json:"width"`
		OutShape []int    `json:"out_shape"`
		Out      []string `json:"out"`
	} `json:"pad"`
	Index []struct {
		Expr     string   `json:"expr"`
		Shape    []int    `json:"shape"`
		OutShape []int    `json:"out_shape"`
		Out      []string `json:"out"`
		Error    string   `json:"error"`
	} `json:"index"`
	Ops []struct {
		Op       string   `json:"op"`
		Shape    []int    `json:"shape"`
		Args     []any    `json:"args"`
		OutShape []int    `json:"out_shape"`
		Out      []string `json:"out"`
	} `json:"ops"`
	Einsum []struct {
		Subs     string      `json:"subs"`
		Shapes   [][]int     `json:"shapes"`
		Inputs   [][]float64 `json:"inputs"`
		OutShape []int       `json:"out_shape"`
		Out      []float64   `json:"out"`
	} `json:"einsum"`
	EinsumErrors []struct {
		Subs   string  `json:"subs"`
		Shapes [][]int `json:"shapes"`
		Error  string  `json:"error"`
	} `json:"einsum_errors"`
}

func loadFixtures(t *testing.T) *numpyFixtures {
	t.Helper()
	b, err := os.ReadFile("testdata/numpy_arr13c.json")
	if err != nil {
		t.Fatal(err)
	}
	var f numpyFixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

const fixtureOffset = int64(1) << 60

// offsetDense is OFFSET + arange(prod(shape)) as int64, the fixtures' input.
func offsetDense(shape []int) *Dense {
	d := NewDense(Int64, shape...)
	for i := range d.I64 {
		d.I64[i] = fixtureOffset + int64(i)
	}
	return d
}

func wantInts(t *testing.T, what string, got *Dense, shape []int, vals []string) {
	t.Helper()
	if !chunksEqual(got.Shape, shape) {
		t.Fatalf("%s: shape %v, NumPy %v", what, got.Shape, shape)
	}
	if got.DType != Int64 {
		t.Fatalf("%s: dtype %s, want int64", what, got.DType)
	}
	for i, s := range vals {
		w, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got.I64[i] != w {
			t.Fatalf("%s: element %d is %d, NumPy %d", what, i, got.I64[i], w)
		}
	}
}

// chunkings returns one block, regular blocks of 2 and random uneven
// chunkings of shape.
func chunkings(rng *rand.Rand, shape []int) []Chunking {
	return []Chunking{nil, Regular(ones(len(shape))), twos(len(shape)), irregular(rng, shape), irregular(rng, shape)}
}

func TestPadAgainstNumPy(t *testing.T) {
	f := loadFixtures(t)
	rng := rand.New(rand.NewSource(1))
	for _, c := range f.Pad {
		for _, ch := range chunkings(rng, c.Shape) {
			x := FromDense(offsetDense(c.Shape), ch)
			w := make([][2]int, len(c.Shape))
			for i := range w {
				w[i] = c.Width
			}
			got := mustCompute(t, x.Pad(w, PadMode(c.Mode), 7))
			wantInts(t, c.Mode+" "+shapeString(c.Shape), got, c.OutShape, c.Out)
		}
	}
}

func TestIndexAgainstNumPy(t *testing.T) {
	f := loadFixtures(t)
	rng := rand.New(rand.NewSource(2))
	opts := [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}, {sched.WithMemoryLimit(1 << 10)}}
	for _, c := range f.Index {
		for k, ch := range chunkings(rng, c.Shape) {
			x := FromDense(offsetDense(c.Shape), ch)
			y := x.Index(c.Expr)
			if c.Error != "" {
				if y.Err() == nil {
					t.Errorf("Index %q: no error, NumPy: %s", c.Expr, c.Error)
				}
				continue
			}
			got, err := y.Compute(ctx, opts[k%len(opts)]...)
			if err != nil {
				t.Fatalf("Index %q chunks %v: %v", c.Expr, x.Chunks(), err)
			}
			wantInts(t, "Index "+c.Expr, got, c.OutShape, c.Out)
		}
	}
}

func argInts(t *testing.T, args []any) []int {
	t.Helper()
	out := make([]int, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case float64:
			out[i] = int(v)
		case string:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = int(n)
		}
	}
	return out
}

func TestShapeOpsAgainstNumPy(t *testing.T) {
	f := loadFixtures(t)
	rng := rand.New(rand.NewSource(3))
	n := 0
	for _, c := range f.Ops {
		args := argInts(t, c.Args)
		chs := chunkings(rng, c.Shape)
		if c.Op == "arange" {
			chs = []Chunking{nil}
		}
		for k, ch := range chs {
			d := offsetDense(c.Shape)
			x := FromDense(d, ch)
			if k == 2 {
				x = FromArray(d, ch)
			}
			var y *Array
			switch c.Op {
			case "repeat":
				y = x.Repeat(args[0], args[1])
			case "tile":
				y = x.Tile(args...)
			case "squeeze":
				y = x.Squeeze()
			case "argwhere", "nonzero":
				m := NewDense(Bool, c.Shape...)
				for i, v := range d.I64 {
					m.B[i] = v%3 == 1
				}
				mx := FromDense(m, ch)
				if c.Op == "argwhere" {
					y = mx.ArgWhere()
				} else {
					y = mx.Nonzero()[args[0]]
				}
			case "diag":
				y = x.Diag(args[0])
			case "tril":
				y = x.Tril(args[0])
			case "triu":
				y = x.Triu(args[0])
			case "broadcast_to":
				y = x.BroadcastTo(args, nil)
				if k == 3 {
					y = x.BroadcastTo(args, Regular{1, 2, 1, 2}[:len(args)])
				}
			case "arange":
				a := make([]int64, 3)
				for i, s := range c.Args {
					a[i], _ = strconv.ParseInt(s.(string), 10, 64)
				}
				y = ArangeInt(a[0], a[1], a[2], 2)
			default:
				t.Fatalf("unknown op %q", c.Op)
			}
			if y.Err() != nil {
				t.Fatalf("%s %v of %v: %v", c.Op, args, c.Shape, y.Err())
			}
			got := mustCompute(t, y)
			wantInts(t, c.Op+" "+shapeString(c.Shape)+" chunks "+chunksString(x.Chunks()), got, c.OutShape, c.Out)
			n++
		}
	}
	if n < 300 {
		t.Fatalf("only %d cases ran", n)
	}
}

func twos(n int) Regular {
	r := make(Regular, n)
	for i := range r {
		r[i] = 2
	}
	return r
}

func TestEinsumAgainstNumPy(t *testing.T) {
	f := loadFixtures(t)
	rng := rand.New(rand.NewSource(5))
	opts := [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}, {sched.WithMemoryLimit(1 << 10)}}
	n := 0
	for _, c := range f.Einsum {
		for k := 0; k < 4; k++ {
			ops := make([]*Array, len(c.Shapes))
			for i, sh := range c.Shapes {
				d, err := NewDenseFloat64(c.Inputs[i], sh...)
				if err != nil {
					t.Fatal(err)
				}
				var ch Chunking
				switch k {
				case 1:
					ch = twos(len(sh))
				case 2, 3:
					ch = irregular(rng, sh)
				}
				ops[i] = FromDense(d, ch)
				if k == 3 {
					ops[i] = ops[i].AsType(Float32)
				}
			}
			y := Einsum(c.Subs, ops...)
			if y.Err() != nil {
				t.Fatalf("Einsum %q: %v", c.Subs, y.Err())
			}
			got, err := y.Compute(ctx, opts[k%3]...)
			if err != nil {
				t.Fatalf("Einsum %q chunks %v: %v", c.Subs, ops[0].Chunks(), err)
			}
			if !chunksEqual(got.Shape, c.OutShape) {
				t.Fatalf("Einsum %q: shape %v, NumPy %v", c.Subs, got.Shape, c.OutShape)
			}
			tol := 1e-9
			if k == 3 {
				tol = 1e-4
				if got.DType != Float32 {
					t.Fatalf("Einsum %q of float32: dtype %s", c.Subs, got.DType)
				}
			}
			g := got.Float64s()
			for i, w := range c.Out {
				if math.Abs(g[i]-w) > tol*(1+math.Abs(w)) {
					t.Fatalf("Einsum %q chunks %v: element %d = %v, NumPy %v", c.Subs, ops[0].Chunks(), i, g[i], w)
				}
			}
			n++
		}
	}
	for _, c := range f.EinsumErrors {
		ops := make([]*Array, len(c.Shapes))
		for i, sh := range c.Shapes {
			ops[i] = Ones(sh, nil)
		}
		y := Einsum(c.Subs, ops...)
		if y.Err() == nil || !strings.Contains(y.Err().Error(), "Einsum") {
			t.Errorf("Einsum %q of %v: error %v; NumPy: %s", c.Subs, c.Shapes, y.Err(), c.Error)
		}
	}
	if n < 90 {
		t.Fatalf("only %d cases", n)
	}
}

func TestEinsumInt64Exact(t *testing.T) {
	a := FromDense(offsetDense([]int{4, 3}), Regular{3, 2})
	b := NewDense(Int64, 4, 3)
	for i := range b.I64 {
		b.I64[i] = int64(i % 2)
	}
	got := mustCompute(t, Einsum("ij,ij->i", a, FromDense(b, Regular{2, 1})))
	if got.DType != Int64 {
		t.Fatalf("dtype %s", got.DType)
	}
	x := offsetDense([]int{4, 3})
	for i := 0; i < 4; i++ {
		var w int64
		for j := 0; j < 3; j++ {
			w += x.I64[i*3+j] * b.I64[i*3+j]
		}
		if got.I64[i] != w {
			t.Fatalf("row %d: %d, want %d", i, got.I64[i], w)
		}
	}
	// Many contracted blocks: the addition tree.
	u := Uniform(1, -1, 1, []int{3, 200}, Regular{2, 3})
	v := Uniform(2, -1, 1, []int{200, 2}, Regular{3, 1})
	e, m := mustCompute(t, Einsum("ij,jk->ik", u, v)), mustCompute(t, MatMul(u, v))
	for i := range e.Data {
		if !close(e.Data[i], m.Data[i]) {
			t.Fatalf("einsum %v, matmul %v", e.Data, m.Data)
		}
	}
}
