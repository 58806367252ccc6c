package maskkern

import (
	"math"
	"math/rand"
	"testing"
)

var ops = []Op{Eq, Ne, Lt, Le, Gt, Ge}

// ref is x op c the slow, obvious way.
func ref[T Number](x T, op Op, c T) bool {
	switch op {
	case Eq:
		return x == c
	case Ne:
		return x != c
	case Lt:
		return x < c
	case Le:
		return x <= c
	case Gt:
		return x > c
	}
	return x >= c
}

func randMask(r *rand.Rand, n int) []bool {
	m := make([]bool, n)
	for i := range m {
		m[i] = r.Intn(3) > 0
	}
	return m
}

// lengths covers empty, shorter than a word, uneven and long inputs.
var lengths = []int{0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099}

func check[T Number](t *testing.T, name string, xs []T, lits []T) {
	t.Helper()
	r := rand.New(rand.NewSource(int64(len(xs))))
	for _, op := range ops {
		for _, c := range lits {
			for _, and := range []bool{false, true} {
				m0 := randMask(r, len(xs))
				m := append([]bool(nil), m0...)
				Cmp(m, xs, op, c, and)
				for i, x := range xs {
					want := ref(x, op, c)
					if and {
						want = want && m0[i]
					}
					if m[i] != want {
						t.Fatalf("%s Cmp(%v %d %v, and=%v) row %d = %v, want %v", name, x, op, c, and, i, m[i], want)
					}
				}
			}
		}
	}
}

func TestCmp(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, n := range lengths {
		i64 := make([]int64, n)
		i32 := make([]int32, n)
		f64 := make([]float64, n)
		for i := range i64 {
			i64[i] = r.Int63n(21) - 10
			i32[i] = int32(r.Intn(21) - 10)
			f64[i] = float64(r.Intn(21)-10) / 2
			switch r.Intn(10) {
			case 0:
				i64[i] = math.MaxInt64
				i32[i] = math.MaxInt32
				f64[i] = math.NaN()
			case 1:
				i64[i] = math.MinInt64
				i32[i] = math.MinInt32
				f64[i] = math.Inf(-1)
			}
		}
		check(t, "int64", i64, []int64{0, 3, -10, math.MaxInt64, math.MinInt64})
		check(t, "int32", i32, []int32{0, 3, -10, math.MaxInt32, math.MinInt32})
		check(t, "float64", f64, []float64{0, 2.5, -5, math.NaN(), math.Inf(1), math.Inf(-1)})
	}
}

func TestCmpInt32Wide(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	xs := make([]int32, 777)
	for i := range xs {
		xs[i] = int32(r.Intn(11) - 5)
		if i%50 == 0 {
			xs[i] = math.MaxInt32
		}
		if i%51 == 0 {
			xs[i] = math.MinInt32
		}
	}
	for _, c := range []int64{0, 4, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64} {
		for _, op := range ops {
			for _, and := range []bool{false, true} {
				m0 := randMask(r, len(xs))
				m := append([]bool(nil), m0...)
				CmpInt32(m, xs, op, c, and)
				for i, x := range xs {
					want := ref(int64(x), op, c) && (!and || m0[i])
					if m[i] != want {
						t.Fatalf("CmpInt32(%d %d %d, and=%v) = %v, want %v", x, op, c, and, m[i], want)
					}
				}
			}
		}
	}
}

func TestCmpIntFloat(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	xs := []int64{0, 1, -1, 2, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64}
	for i := 0; i < 500; i++ {
		xs = append(xs, r.Int63n(9)-4)
	}
	for _, c := range []float64{0, 0.5, -0.5, 2, 1 << 53, math.NaN(), math.Inf(1), math.Inf(-1), 9.3e18, -9.3e18} {
		for _, op := range ops {
			for _, and := range []bool{false, true} {
				m0 := randMask(r, len(xs))
				m := append([]bool(nil), m0...)
				CmpIntFloat(m, xs, op, c, and)
				for i, x := range xs {
					want := ref(float64(x), op, c) && (!and || m0[i])
					if m[i] != want {
						t.Fatalf("CmpIntFloat(%d %d %v, and=%v) = %v, want %v", x, op, c, and, m[i], want)
					}
				}
			}
		}
	}
}

func TestRange(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	for _, n := range lengths {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(r.Intn(9) - 4)
			if r.Intn(8) == 0 {
				xs[i] = math.NaN()
			}
		}
		for _, lo := range []float64{-2, 0, math.NaN()} {
			for _, hi := range []float64{0, 3, math.NaN()} {
				for _, loOp := range ops {
					for _, hiOp := range ops {
						for _, and := range []bool{false, true} {
							m0 := randMask(r, n)
							m := append([]bool(nil), m0...)
							Range(m, xs, lo, loOp, hi, hiOp, and)
							for i, x := range xs {
								want := ref(x, loOp.Flip(), lo) && ref(x, hiOp, hi) && (!and || m0[i])
								if m[i] != want {
									t.Fatalf("Range(%v %d %v %d %v, and=%v) = %v, want %v", lo, loOp, x, hiOp, hi, and, m[i], want)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestAndOrValid(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for _, n := range lengths {
		a, b := randMask(r, n), randMask(r, n)
		and, or := append([]bool(nil), a...), append([]bool(nil), a...)
		And(and, b)
		Or(or, b)
		for i := range a {
			if and[i] != (a[i] && b[i]) || or[i] != (a[i] || b[i]) {
				t.Fatalf("n=%d row %d: And %v Or %v of %v, %v", n, i, and[i], or[i], a[i], b[i])
			}
		}
		for _, off := range []int{0, 3, 8, 13} {
			bits := make([]byte, (n+off+7)/8)
			r.Read(bits)
			m := append([]bool(nil), a...)
			Valid(m, bits, off)
			for i := range m {
				j := off + i
				want := a[i] && bits[j/8]&(1<<(j%8)) != 0
				if m[i] != want {
					t.Fatalf("Valid n=%d off=%d row %d = %v, want %v", n, off, i, m[i], want)
				}
			}
		}
		for _, v := range []bool{false, true} {
			for _, andMode := range []bool{false, true} {
				m := append([]bool(nil), a...)
				Fill(m, v, andMode)
				for i := range m {
					if want := v && (!andMode || a[i]); m[i] != want {
						t.Fatalf("Fill(%v, and=%v) row %d = %v", v, andMode, i, m[i])
					}
				}
			}
		}
	}
}

func TestParseOpFlip(t *testing.T) {
	for s, want := range map[string]Op{"==": Eq, "!=": Ne, "<": Lt, "<=": Le, ">": Gt, ">=": Ge} {
		if op, ok := ParseOp(s); !ok || op != want {
			t.Fatalf("ParseOp(%q) = %d, %v", s, op, ok)
		}
	}
	if _, ok := ParseOp("and"); ok {
		t.Fatal("ParseOp(and) ok")
	}
	for _, op := range ops {
		if op.Flip().Flip() != op {
			t.Fatalf("Flip of %d not an involution", op)
		}
	}
}

func BenchmarkCmpAnd(b *testing.B) {
	xs := make([]float64, 1<<16)
	for i := range xs {
		xs[i] = float64(i % 50)
	}
	m := make([]bool, len(xs))
	b.SetBytes(int64(len(xs)) * 8)
	for i := 0; i < b.N; i++ {
		Fill(m, true, false)
		Cmp(m, xs, Lt, 24, true)
	}
}

func TestInStrInt(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	words := []string{"", "a", "ab", "ba", "abc", "ünï", "MAIL", "SHIP", "ABCDEFGH", "ABCDEFGX", "ABCDEFGHI", "F", "O"}
	for _, n := range lengths {
		offs, data := []int32{0}, []byte{}
		xs := make([]int64, n)
		x32 := make([]int32, n)
		for i := 0; i < n; i++ {
			data = append(data, words[r.Intn(len(words))]...)
			offs = append(offs, int32(len(data)))
			xs[i] = r.Int63n(7) - 3
			x32[i] = int32(xs[i])
			if i%17 == 0 {
				xs[i], x32[i] = math.MinInt64, math.MaxInt32
			}
		}
		for _, lits := range [][]string{nil, {""}, {"F"}, {"ab", "MAIL"}, {"ünï", "b", "abc", "SHIP"}, {"ABCDEFGH", ""}, {"ABCDEFGHI", "a"}} {
			for _, and := range []bool{false, true} {
				m0 := randMask(r, n)
				m := append([]bool(nil), m0...)
				InStr(m, offs, data, lits, and)
				for i := 0; i < n; i++ {
					s := string(data[offs[i]:offs[i+1]])
					want := false
					for _, l := range lits {
						want = want || s == l
					}
					want = want && (!and || m0[i])
					if m[i] != want {
						t.Fatalf("InStr(%q in %q, and=%v) = %v", s, lits, and, m[i])
					}
				}
			}
		}
		for _, lits := range [][]int64{nil, {0}, {1, -3, math.MinInt64}} {
			for _, and := range []bool{false, true} {
				m0 := randMask(r, n)
				m, m32 := append([]bool(nil), m0...), append([]bool(nil), m0...)
				InInt(m, xs, lits, and)
				var l32 []int32
				for _, l := range lits {
					l32 = append(l32, int32(l))
				}
				InInt(m32, x32, l32, and)
				for i := 0; i < n; i++ {
					want, want32 := false, false
					for j, l := range lits {
						want = want || xs[i] == l
						want32 = want32 || x32[i] == l32[j]
					}
					if m[i] != (want && (!and || m0[i])) || m32[i] != (want32 && (!and || m0[i])) {
						t.Fatalf("InInt row %d (%d in %v, and=%v) = %v / %v", i, xs[i], lits, and, m[i], m32[i])
					}
				}
			}
		}
	}
}
