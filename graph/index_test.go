package graph

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestKeyIndexMatchesMap adds random keys (many repeated, some empty or
// unicode) to graphs of every starting capacity, through Add and
// AddResolved, and checks every lookup against a Go map.
func TestKeyIndexMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 40; trial++ {
		var g *Graph
		if trial%2 == 0 {
			g = &Graph{}
		} else {
			g = WithCapacity(rng.Intn(50))
		}
		ref := map[Key]int{}
		n := 1 + rng.Intn(3000)
		for i := 0; i < n; i++ {
			var k Key
			switch rng.Intn(4) {
			case 0:
				k = Key(fmt.Sprintf("é-%d", rng.Intn(n)))
			case 1:
				k = ""
			default:
				k = Key(fmt.Sprintf("x-%032x", rng.Int63n(int64(n))))
			}
			tk := ConstTask(k, int64(i))
			var isNew bool
			if rng.Intn(2) == 0 {
				isNew = g.Add(tk)
			} else {
				_, isNew = g.AddResolved(tk, nil)
			}
			if _, had := ref[k]; had == isNew {
				t.Fatalf("trial %d: key %q new=%v, but the map had it=%v", trial, k, isNew, had)
			}
			if isNew {
				ref[k] = len(ref)
			}
		}
		if g.Len() != len(ref) {
			t.Fatalf("trial %d: %d tasks, want %d", trial, g.Len(), len(ref))
		}
		for k, i := range ref {
			if g.IndexOf(k) != i || !g.Has(k) || g.Get(k).Key != k {
				t.Fatalf("trial %d: IndexOf(%q) = %d, want %d", trial, k, g.IndexOf(k), i)
			}
		}
		for i := 0; i < 100; i++ {
			k := Key(fmt.Sprintf("absent-%d", i))
			if g.IndexOf(k) != -1 || g.Has(k) || g.Get(k) != nil {
				t.Fatalf("trial %d: absent key %q found", trial, k)
			}
		}
	}
}
