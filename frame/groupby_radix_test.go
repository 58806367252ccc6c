package frame

import (
	"math/rand"
	"testing"
)

// checkGrouping verifies that gids/first group the codes: equal codes share
// a group, different codes do not, ids are dense and first[g] is the
// first row of group g.
func checkGrouping(t *testing.T, name string, comp []uint64, gids, first []int32) {
	t.Helper()
	if len(gids) != len(comp) {
		t.Fatalf("%s: %d ids for %d rows", name, len(gids), len(comp))
	}
	byCode := map[uint64]int32{}
	firstRow := map[int32]int{}
	for i, x := range comp {
		g := gids[i]
		if g < 0 || int(g) >= len(first) {
			t.Fatalf("%s: row %d has group %d of %d", name, i, g, len(first))
		}
		if want, ok := byCode[x]; ok && want != g {
			t.Fatalf("%s: row %d (code %d) in group %d, earlier rows in %d", name, i, x, g, want)
		}
		byCode[x] = g
		if _, ok := firstRow[g]; !ok {
			firstRow[g] = i
		}
	}
	for g := 1; g < len(first); g++ {
		if first[g] <= first[g-1] {
			t.Fatalf("%s: groups not in first-seen order: first[%d] = %d, first[%d] = %d", name, g-1, first[g-1], g, first[g])
		}
	}
	if len(byCode) != len(first) {
		t.Fatalf("%s: %d groups for %d distinct codes", name, len(first), len(byCode))
	}
	for g, i := range firstRow {
		if int(first[g]) != i {
			t.Fatalf("%s: first[%d] = %d, want %d", name, g, first[g], i)
		}
	}
}

func TestRadixGroupsAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewSource(41))
	for trial := 0; trial < 24; trial++ {
		n := []int{0, 1, 100, 9000, 70000, 200000}[trial%6]
		distinct := []int{1, 7, n/3 + 1, 1 << 62}[trial/6]
		comp := make([]uint64, n)
		for i := range comp {
			comp[i] = uint64(rng.Int63n(int64(distinct)))
			if trial%2 == 1 {
				comp[i] <<= 20 // codes differing only in high bits
			}
		}
		gids, first := radixGroups(comp)
		checkGrouping(t, "radix", comp, gids, first)
	}
}

// TestGroupByCodesRadix covers groupByCodes handing many distinct codes to
// radixGroups, against the naive grouping.
func TestGroupByCodesRadix(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	n := radixMinRows + 1000
	r := keyRecord(rng, n, []kind{kInt, kStr, kInt}, true, 1<<20)
	gids, first, st := groupByCodes(r, []int{0, 1, 2}, nil, false)
	if st != codesOK {
		t.Fatalf("status %d", st)
	}
	wg, _ := naiveGroups(r)
	comp := make([]uint64, n)
	for i, g := range wg {
		comp[i] = uint64(g)
	}
	checkGrouping(t, "groupByCodes", comp, gids, first)
}
