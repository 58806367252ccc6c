package frame

// radixMinRows is the fewest rows for which groupByCodes hashes many
// distinct codes by radix partitions rather than one table.
const radixMinRows = 1 << 17

// radixRows is the target number of rows per radix partition: its table
// (twice as many 16-byte slots) stays in L2.
const radixRows = 1 << 13

// radixGroups assigns dense group ids to 64-bit codes with many distinct
// values. One table for all of them would miss the cache on nearly every
// probe; instead the codes are first scattered by the top bits of their
// hash into partitions of a few thousand rows, and each partition is grouped
// with a small table that stays in cache. The groups are then renumbered
// in first-seen order (as groupRows numbers them: later gathers by first
// row read the rows in order); first[g] is the first row of group g.
func radixGroups(comp []uint64) (gids, first []int32) {
	n := len(comp)
	bits := 0
	for n>>bits > radixRows && bits < 12 {
		bits++
	}
	shift := uint(64 - bits)
	nb := 1 << bits
	starts := make([]int, nb+1)
	if bits > 0 {
		for _, x := range comp {
			starts[(x*0x9E3779B97F4A7C15)>>shift+1]++
		}
	} else {
		starts[1] = n
	}
	for b := 0; b < nb; b++ {
		starts[b+1] += starts[b]
	}
	keys := make([]uint64, n)
	rows := make([]int32, n)
	if bits > 0 {
		pos := append([]int(nil), starts[:nb]...)
		for i, x := range comp {
			b := (x * 0x9E3779B97F4A7C15) >> shift
			p := pos[b]
			keys[p], rows[p] = x, int32(i)
			pos[b] = p + 1
		}
	} else {
		copy(keys, comp)
		for i := range rows {
			rows[i] = int32(i)
		}
	}
	gids = make([]int32, n)
	first = make([]int32, 0, n/2)
	var slots []i64Slot
	for b := 0; b < nb; b++ {
		ks, rs := keys[starts[b]:starts[b+1]], rows[starts[b]:starts[b+1]]
		size := tableSize(len(ks))
		if cap(slots) < size {
			slots = make([]i64Slot, size)
		} else {
			slots = slots[:size]
			clear(slots)
		}
		mask := size - 1
		tshift := uint(64 - log2(size))
		for j, x := range ks {
			// The low bits of the hash after the partition bits pick the slot.
			s := int(((x * 0x9E3779B97F4A7C15) << bits) >> tshift)
			for {
				sl := &slots[s]
				if sl.id == 0 {
					g := int32(len(first))
					sl.key, sl.id = int64(x), g+1
					first = append(first, rs[j])
					gids[rs[j]] = g
					break
				}
				if sl.key == int64(x) {
					gids[rs[j]] = sl.id - 1
					break
				}
				s = (s + 1) & mask
			}
		}
	}
	// Renumber by first row: mark each group at its first row, read the
	// marks in row order.
	byRow := make([]int32, n)
	for g, i := range first {
		byRow[i] = int32(g) + 1
	}
	renum := make([]int32, len(first))
	k := int32(0)
	for i, g := range byRow {
		if g != 0 {
			renum[g-1] = k
			first[k] = int32(i)
			k++
		}
	}
	for i, g := range gids {
		gids[i] = renum[g]
	}
	return gids, first
}
