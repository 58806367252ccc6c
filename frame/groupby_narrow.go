package frame

import (
	"math"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
)

// denseNarrowBytes bounds the table of denseNarrow: it must stay in L2
// (2 MiB per core here) next to the rows streaming through.
const denseNarrowBytes = 1792 << 10

// narrowAcc is the type of one accumulator of denseNarrow.
type narrowAcc interface{ int32 | int64 | float64 }

// narrowIn is the type of a value column denseNarrow reads.
// (uint8 and uint16: a cached narrow copy of a persisted column).
type narrowIn interface {
	int64 | float64 | uint8 | uint16
}

// narrowKeyT is the type of the key column denseNarrow reads: int64 slots
// k-lo, or uint32 slots k from a cached narrow copy.
type narrowKeyT interface{ int64 | uint32 }

// narrowField is a summed column of denseNarrow: its accumulator's byte
// offset in a slot and width (4: int32, 8: int64 or float64).
type narrowField struct {
	in     *denseInput
	off    uintptr
	width  uintptr
	lo, hi int64      // an integer column's range
	nar    *narrowCol // the narrow copy read instead of in.c, if any
}

// narrowTable is the slot-by-slot accumulator table of denseNarrow: slot
// sl's field f at byte sl*size+f.off of buf.
type narrowTable struct {
	buf    []uint64 // 8-byte aligned backing
	size   uintptr  // bytes per slot
	fields []narrowField
	seen   []uint64 // the non-empty slots
	// presence, when >= 0, is a field whose sum is never zero in a
	// non-empty slot (its column's values all share one sign).
	presence int
}

// word returns the sums of the field of input in (whose sum word is o) at
// the given slots (byte offsets of the slots), as int64 or float64 bits.
func (t *narrowTable) word(o int, slots []int32) []int64 {
	var f *narrowField
	for i := range t.fields {
		if t.fields[i].in.sum == o {
			f = &t.fields[i]
		}
	}
	base := unsafe.Pointer(unsafe.SliceData(t.buf))
	out := make([]int64, len(slots))
	if f.width == 4 {
		for g, sl := range slots {
			out[g] = int64(*(*int32)(unsafe.Add(base, uintptr(sl)*t.size+f.off)))
		}
		return out
	}
	for g, sl := range slots {
		out[g] = *(*int64)(unsafe.Add(base, uintptr(sl)*t.size+f.off))
	}
	return out
}

// denseNarrow fills a table of sums for 1 to 3 null-free columns (no row
// counts), slot by slot, in one pass over the rows, with int32 accumulators
// for the integer columns whose range bounds every sum of the n rows below
// 2^31 (from the cached range of a persisted partition), else int64. A
// table of 1e5 slots of two such sums and a float then takes 1.6 MB and
// stays in L2 where one of int64 words (2.4 MB) would not. It reports
// false, having done nothing, when the sums are too many or the table too
// wide anyway. On a persisted partition whose integer fields all have
// int32 accumulators and values in 0..65535, it reads cached narrow copies
// (narrowCopies: key 4 B, values 1 or 2 B per row instead of 8; q5 then
// streams 14 B per row instead of 32).
func denseNarrow(r arrow.Record, ka arrow.Array, kc *col, lo int64, span int, ins []*denseInput, enc *encCache) (*narrowTable, bool) {
	n := kc.n
	t := &narrowTable{presence: -1}
	var f8, f4 []narrowField
	p8, p4 := -1, -1
	for _, in := range ins {
		if in.sum < 0 {
			continue
		}
		if in.c.k == kFloat {
			f8 = append(f8, narrowField{in: in, width: 8})
			continue
		}
		vlo, vhi, any := enc.minMax(r.Column(in.idx), &in.c)
		if !any {
			vlo, vhi = 1, 0
		}
		m := uint64(0)
		if any {
			m = max(absU(vlo), absU(vhi))
		}
		nonzero := any && (vlo > 0 || vhi < 0)
		if m <= (1<<31-1)/uint64(max(n, 1)) {
			if nonzero && p4 < 0 {
				p4 = len(f4)
			}
			f4 = append(f4, narrowField{in: in, width: 4, lo: vlo, hi: vhi})
		} else {
			// (A sum that could wrap around to zero marks nothing.)
			if nonzero && p8 < 0 && m <= math.MaxInt64/uint64(max(n, 1)) {
				p8 = len(f8)
			}
			f8 = append(f8, narrowField{in: in, width: 8, lo: vlo, hi: vhi})
		}
	}
	nf := len(f8) + len(f4)
	if nf == 0 || nf > 3 {
		return nil, false
	}
	switch {
	case p8 >= 0:
		t.presence = p8
	case p4 >= 0:
		t.presence = len(f8) + p4
	}
	t.fields = append(f8, f4...)
	for i := range t.fields {
		t.fields[i].off = t.size
		t.size += t.fields[i].width
	}
	if len(f8) > 0 {
		t.size = (t.size + 7) &^ 7
	}
	if uint64(t.size)*uint64(span) > denseNarrowBytes {
		return nil, false
	}
	t.buf = narrowBuf((uintptr(span)*t.size + 7) / 8)
	ks := kc.i64[:n]
	var nk []uint32
	if n > 0 {
		if nk = narrowCopies(r, ka, kc, lo, span, t, enc); nk != nil {
			narrowPickN0(nk, t)
		} else {
			narrowPick0(ks, lo, t)
		}
	}
	t.seen = make([]uint64, (span+63)/64)
	if t.presence < 0 {
		if nk != nil {
			for _, x := range nk {
				t.seen[x>>6] |= 1 << (x & 63)
			}
			return t, true
		}
		for _, k := range ks {
			x := k - lo
			t.seen[x>>6] |= 1 << (x & 63)
		}
		return t, true
	}
	// The non-empty slots from the presence field, in one pass.
	f := &t.fields[t.presence]
	p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(t.buf)), f.off)
	for sl := 0; sl < span; sl++ {
		q := unsafe.Add(p, uintptr(sl)*t.size)
		var nz bool
		if f.width == 4 {
			nz = *(*int32)(q) != 0
		} else {
			nz = *(*int64)(q) != 0
		}
		if nz {
			t.seen[sl>>6] |= 1 << (sl & 63)
		}
	}
	return t, true
}

// narrowCopies sets up the narrow mode of denseNarrow for a persisted
// partition (enc not nil): when every integer field has an int32
// accumulator and values in 0..65535, it takes (or makes, once) the cached
// narrow copies of those columns and of the key (value minus lo, as
// uint32), and returns the key's; else nil and nothing is touched. The
// sums are the same: the value columns are copied as they are, and the
// key's copy is its slot.
func narrowCopies(r arrow.Record, ka arrow.Array, kc *col, lo int64, span int, t *narrowTable, enc *encCache) []uint32 {
	if enc == nil || kc.valid != nil {
		return nil
	}
	for i := range t.fields {
		f := &t.fields[i]
		if f.in.c.k == kFloat {
			continue
		}
		if f.width != 4 || f.in.c.valid != nil || f.lo < 0 || f.hi > math.MaxUint16 || f.hi < f.lo {
			return nil
		}
	}
	key := enc.narrowCopy(ka, kc, lo, lo+int64(span)-1, true)
	if key == nil || len(key.u32) != kc.n {
		return nil
	}
	for i := range t.fields {
		f := &t.fields[i]
		if f.in.c.k == kFloat {
			continue
		}
		f.nar = enc.narrowCopy(r.Column(f.in.idx), &f.in.c, f.lo, f.hi, false)
	}
	return key.u32
}

// narrowPool holds the backing of finished narrow tables: a table reused
// while warm costs no page faults and clears in cache.
var narrowPool sync.Pool

// narrowBuf returns n zeroed words, from narrowPool when it holds enough.
func narrowBuf(n uintptr) []uint64 {
	if p, _ := narrowPool.Get().(*[]uint64); p != nil && uintptr(cap(*p)) >= n {
		b := (*p)[:n]
		clear(b)
		return b
	}
	return make([]uint64, n)
}

// release returns t's backing to narrowPool; t must not be used after.
func (t *narrowTable) release() {
	b := t.buf[:0]
	t.buf = nil
	narrowPool.Put(&b)
}

func absU(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

// narrowData is the value column of field i as a pointer to its first row
// (nil past the last field).
func narrowData(t *narrowTable, i int) unsafe.Pointer {
	if i >= len(t.fields) {
		return nil
	}
	f := &t.fields[i]
	if f.nar != nil {
		if f.nar.u8 != nil {
			return unsafe.Pointer(unsafe.SliceData(f.nar.u8))
		}
		return unsafe.Pointer(unsafe.SliceData(f.nar.u16))
	}
	c := &f.in.c
	if c.k == kFloat {
		return unsafe.Pointer(unsafe.SliceData(c.f64))
	}
	return unsafe.Pointer(unsafe.SliceData(c.i64))
}

// narrowPick0, narrowPick1 and narrowPick2 choose the accumulator and
// input types of fields 0, 1 and 2; narrowSums runs with them.
func narrowPick0(ks []int64, lo int64, t *narrowTable) {
	switch f := &t.fields[0]; {
	case f.in.c.k == kFloat:
		narrowPick1[int64, float64, float64](ks, lo, t)
	case f.width == 8:
		narrowPick1[int64, int64, int64](ks, lo, t)
	default:
		narrowPick1[int64, int32, int64](ks, lo, t)
	}
}

func narrowPick1[K narrowKeyT, A narrowAcc, IA narrowIn](ks []K, lo int64, t *narrowTable) {
	if len(t.fields) < 2 {
		narrowSums[K, A, IA, A, IA, A, IA](ks, lo, t)
		return
	}
	switch f := &t.fields[1]; {
	case f.in.c.k == kFloat:
		narrowPick2[K, A, IA, float64, float64](ks, lo, t)
	case f.width == 8:
		narrowPick2[K, A, IA, int64, int64](ks, lo, t)
	default:
		narrowPick2[K, A, IA, int32, int64](ks, lo, t)
	}
}

func narrowPick2[K narrowKeyT, A narrowAcc, IA narrowIn, B narrowAcc, IB narrowIn](ks []K, lo int64, t *narrowTable) {
	if len(t.fields) < 3 {
		narrowSums[K, A, IA, B, IB, B, IB](ks, lo, t)
		return
	}
	switch f := &t.fields[2]; {
	case f.in.c.k == kFloat:
		narrowSums[K, A, IA, B, IB, float64, float64](ks, lo, t)
	case f.width == 8:
		narrowSums[K, A, IA, B, IB, int64, int64](ks, lo, t)
	default:
		narrowSums[K, A, IA, B, IB, int32, int64](ks, lo, t)
	}
}

// narrowPickN0, narrowPickN1 and narrowPickN2 are narrowPick0 to 2 in the
// narrow mode (narrowCopies): uint32 slots, and each integer field an int32
// accumulator of a uint8 or uint16 copy.
func narrowPickN0(ks []uint32, t *narrowTable) {
	switch f := &t.fields[0]; {
	case f.in.c.k == kFloat:
		narrowPickN1[float64, float64](ks, t)
	case f.nar.u8 != nil:
		narrowPickN1[int32, uint8](ks, t)
	default:
		narrowPickN1[int32, uint16](ks, t)
	}
}

func narrowPickN1[A narrowAcc, IA narrowIn](ks []uint32, t *narrowTable) {
	if len(t.fields) < 2 {
		narrowSums[uint32, A, IA, A, IA, A, IA](ks, 0, t)
		return
	}
	switch f := &t.fields[1]; {
	case f.in.c.k == kFloat:
		narrowPickN2[A, IA, float64, float64](ks, t)
	case f.nar.u8 != nil:
		narrowPickN2[A, IA, int32, uint8](ks, t)
	default:
		narrowPickN2[A, IA, int32, uint16](ks, t)
	}
}

func narrowPickN2[A narrowAcc, IA narrowIn, B narrowAcc, IB narrowIn](ks []uint32, t *narrowTable) {
	if len(t.fields) < 3 {
		narrowSums[uint32, A, IA, B, IB, B, IB](ks, 0, t)
		return
	}
	switch f := &t.fields[2]; {
	case f.in.c.k == kFloat:
		narrowSums[uint32, A, IA, B, IB, float64, float64](ks, 0, t)
	case f.nar.u8 != nil:
		narrowSums[uint32, A, IA, B, IB, int32, uint8](ks, 0, t)
	default:
		narrowSums[uint32, A, IA, B, IB, int32, uint16](ks, 0, t)
	}
}

// narrowSums adds the rows of the first len(t.fields) of a, b and c into
// their accumulators: slot k-lo of each row's key k.
func narrowSums[K narrowKeyT, A narrowAcc, IA narrowIn, B narrowAcc, IB narrowIn, C narrowAcc, IC narrowIn](ks []K, lo int64, t *narrowTable) {
	n := len(ks)
	base := unsafe.Pointer(unsafe.SliceData(t.buf))
	size := t.size
	a := unsafe.Slice((*IA)(narrowData(t, 0)), n)
	switch len(t.fields) {
	case 1:
		for i, k := range ks {
			p := unsafe.Add(base, uintptr(int64(k)-lo)*size)
			*(*A)(p) += A(a[i])
		}
	case 2:
		b := unsafe.Slice((*IB)(narrowData(t, 1)), n)
		ob := t.fields[1].off
		for i, k := range ks {
			p := unsafe.Add(base, uintptr(int64(k)-lo)*size)
			*(*A)(p) += A(a[i])
			*(*B)(unsafe.Add(p, ob)) += B(b[i])
		}
	default:
		b := unsafe.Slice((*IB)(narrowData(t, 1)), n)
		c := unsafe.Slice((*IC)(narrowData(t, 2)), n)
		ob, oc := t.fields[1].off, t.fields[2].off
		for i, k := range ks {
			p := unsafe.Add(base, uintptr(int64(k)-lo)*size)
			*(*A)(p) += A(a[i])
			*(*B)(unsafe.Add(p, ob)) += B(b[i])
			*(*C)(unsafe.Add(p, oc)) += C(c[i])
		}
	}
}
