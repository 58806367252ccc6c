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
