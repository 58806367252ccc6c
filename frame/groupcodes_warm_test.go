package frame

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// TestWarmSkipsMostlyDistinctStrings: Persist's warm keeps dictionary codes
// of low-cardinality string columns and does not encode a comment column
// (its codes would be dropped again); a groupby by the comment column still
// gives the right groups (encoded on first use).
func TestWarmSkipsMostlyDistinctStrings(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	n := 10000
	var lowOffs, hiOffs []int32
	var lowData, hiData []byte
	lowOffs, hiOffs = append(lowOffs, 0), append(hiOffs, 0)
	flags := []string{"A", "N", "R", "é"}
	for i := 0; i < n; i++ {
		lowData = append(lowData, flags[rng.Intn(len(flags))]...)
		lowOffs = append(lowOffs, int32(len(lowData)))
		// Unique for the first 5000 rows, then repeating: more than half
		// of the sampled prefix is distinct.
		hiData = append(hiData, fmt.Sprintf("comment ✓ %d", i%5000)...)
		hiOffs = append(hiOffs, int32(len(hiData)))
	}
	low, hi := strArray(lowOffs, lowData, nil), strArray(hiOffs, hiData, nil)
	sch := arrow.NewSchema([]arrow.Field{{Name: "flag", Type: arrow.BinaryTypes.String}, {Name: "comment", Type: arrow.BinaryTypes.String}}, nil)
	r := array.NewRecord(sch, []arrow.Array{low, hi}, int64(n))
	enc := &encCache{}
	enc.warm(r)
	if enc.m[low.Data()] == nil {
		t.Error("warm did not encode the 4-value column")
	}
	if enc.m[hi.Data()] != nil {
		t.Error("warm encoded the mostly distinct column")
	}
	c := colOf(hi)
	gids, first := enc.strCodes(hi, &c)
	if len(first) != 5000 {
		t.Fatalf("strCodes of the comment column: %d codes, want 5000", len(first))
	}
	for i := 0; i < n; i++ {
		if gids[i] != gids[i%5000] {
			t.Fatalf("row %d coded %d, row %d coded %d: same string", i, gids[i], i%5000, gids[i%5000])
		}
	}
	if small := (&col{k: kStr, n: 3, offs: []int32{0, 1, 2, 3}, data: []byte("abc")}); mostlyDistinct(small) {
		t.Error("a 3-row column is too short to sample, want false")
	}
}
