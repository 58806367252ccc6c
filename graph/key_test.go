package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkAppendKey is the key of a delayed call of two inputs: a label,
// the op's name, its parameters and two dependency keys.
func BenchmarkAppendKey(b *testing.B) {
	deps := []Key{NewKey("inc", "delayed.call", []byte("a"), nil), NewKey("inc", "delayed.call", []byte("b"), nil)}
	params := []byte("\x2cgithub.com/godask/godask/examples/bench.add\x02\x01\x01")
	var buf [48]byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		AppendKey(buf[:0], "add", "delayed.call", params, deps)
	}
}

// TestKeyHex compares the hex digits of keys with fmt's on random and
// extreme hashes.
func TestKeyHex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := []uint64{0, 1, 0xff, 1 << 63, ^uint64(0)}
	for range 1000 {
		vals = append(vals, r.Uint64())
	}
	for _, v := range vals {
		var b [16]byte
		putHex(b[:], v)
		if got, want := string(b[:]), fmt.Sprintf("%016x", v); got != want {
			t.Fatalf("putHex(%#x) = %s, want %s", v, got, want)
		}
	}
	k := string(NewKey("lbl", "op", []byte("p"), nil))
	if len(k) != 36 || k[:4] != "lbl-" {
		t.Fatalf("NewKey = %q, want lbl- and 32 hex digits", k)
	}
}

// TestKeyPrefix compares keys derived through a KeyPrefix with AppendKey's,
// on random parameters, prefix lengths and dependencies, for parameters the
// prefix fits and parameters it does not (other length, other head, other
// op), including empty ones.
func TestKeyPrefix(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	bytesN := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	for it := range 3000 {
		params := bytesN(r.IntN(70))
		n := r.IntN(len(params)+10) - 3
		p := NewKeyPrefix("op", params, n)
		var deps []Key
		for range r.IntN(4) {
			deps = append(deps, Key(bytesN(r.IntN(50))))
		}
		other := append([]byte(nil), params...)
		switch it % 4 {
		case 1: // same head, other tail
			for i := len(p.head); i < len(other); i++ {
				other[i] = byte(r.IntN(256))
			}
		case 2: // another length
			other = append(other, 7)
		case 3: // another head
			if len(other) > 0 {
				other[r.IntN(len(other))] ^= 1
			}
		}
		for _, op := range []string{"op", "po"} {
			want := string(AppendKey([]byte("x"), "lbl", op, other, deps))
			got := string(p.AppendKey([]byte("x"), "lbl", op, other, deps))
			if got != want {
				t.Fatalf("case %d: prefix of %d bytes (n=%d) of %x, op %s, params %x: key %s, want %s", it, len(p.head), n, params, op, other, got, want)
			}
		}
	}
	var nilp *KeyPrefix
	if got, want := string(nilp.AppendKey(nil, "l", "op", nil, nil)), string(NewKey("l", "op", nil, nil)); got != want {
		t.Fatalf("nil prefix: key %s, want %s", got, want)
	}
}
