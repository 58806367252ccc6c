package frame

import (
	"math/rand"
	"slices"
	"testing"
)

// TestShortStrGroupsFirstSeen: the group ids of a string key column are
// numbered in the order the values are first seen, nulls one group of
// their own, for columns of one-byte values (the 257-slot table: the empty
// string, byte 0 and bytes of 0x80 and up included) and of longer short
// values (the hash table), checked against a map.
func TestShortStrGroupsFirstSeen(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for ci, alphabet := range [][]string{
		{"", "\x00", "A", "N", "R", "\xff", "\x80"},
		{"", "A", "ab", "ünï", "x\x00y", "0123456789abcdef"},
	} {
		for _, n := range []int{0, 1, 7, 5000} {
			offs, data := []int32{0}, []byte{}
			valid := make([]bool, n)
			for i := 0; i < n; i++ {
				valid[i] = r.Intn(9) > 0
				if valid[i] {
					data = append(data, alphabet[r.Intn(len(alphabet))]...)
				}
				offs = append(offs, int32(len(data)))
			}
			a := strArray(offs, data, valid)
			c := colOf(a)
			gids, first := keyGroups(&c)
			ids := map[any]int32{}
			var wantFirst []int32
			want := make([]int32, n)
			for i := 0; i < n; i++ {
				var k any = nil
				if valid[i] {
					k = string(data[offs[i]:offs[i+1]])
				}
				g, ok := ids[k]
				if !ok {
					g = int32(len(wantFirst))
					ids[k] = g
					wantFirst = append(wantFirst, int32(i))
				}
				want[i] = g
			}
			if !slices.Equal(gids, want) || !slices.Equal(first, wantFirst) {
				t.Fatalf("alphabet %d, %d rows: %d groups, want %d (ids equal: %v)", ci, n, len(first), len(wantFirst), slices.Equal(gids, want))
			}
		}
	}
}
