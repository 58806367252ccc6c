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
type narrowIn interface{ int64 | float64 }

// narrowField is a summed column of denseNarrow: its accumulator's byte
// offset in a slot and width (4: int32, 8: int64 or float64).
type narrowField struct {
	in    *denseInput
	off   uintptr
	width uintptr
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
// wide anyway.
func denseNarrow(r arrow.Record, kc *col, lo int64, span int, ins []*denseInput, enc *encCache) (*narrowTable, bool) {
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
		m := uint64(0)
		if any {
			m = max(absU(vlo), absU(vhi))
		}
		nonzero := any && (vlo > 0 || vhi < 0)
		if m <= (1<<31-1)/uint64(max(n, 1)) {
			if nonzero && p4 < 0 {
				p4 = len(f4)
			}
			f4 = append(f4, narrowField{in: in, width: 4})
		} else {
			// (A sum that could wrap around to zero marks nothing.)
			if nonzero && p8 < 0 && m <= math.MaxInt64/uint64(max(n, 1)) {
				p8 = len(f8)
			}
			f8 = append(f8, narrowField{in: in, width: 8})
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
	if n > 0 {
		narrowPick0(ks, lo, t)
	}
	t.seen = make([]uint64, (span+63)/64)
	if t.presence < 0 {
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
	c := &t.fields[i].in.c
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
		narrowPick1[float64, float64](ks, lo, t)
	case f.width == 8:
		narrowPick1[int64, int64](ks, lo, t)
	default:
		narrowPick1[int32, int64](ks, lo, t)
	}
}

func narrowPick1[A narrowAcc, IA narrowIn](ks []int64, lo int64, t *narrowTable) {
	if len(t.fields) < 2 {
		narrowSums[A, IA, A, IA, A, IA](ks, lo, t)
		return
	}
	switch f := &t.fields[1]; {
	case f.in.c.k == kFloat:
		narrowPick2[A, IA, float64, float64](ks, lo, t)
	case f.width == 8:
		narrowPick2[A, IA, int64, int64](ks, lo, t)
	default:
		narrowPick2[A, IA, int32, int64](ks, lo, t)
	}
}

func narrowPick2[A narrowAcc, IA narrowIn, B narrowAcc, IB narrowIn](ks []int64, lo int64, t *narrowTable) {
	if len(t.fields) < 3 {
		narrowSums[A, IA, B, IB, B, IB](ks, lo, t)
		return
	}
	switch f := &t.fields[2]; {
	case f.in.c.k == kFloat:
		narrowSums[A, IA, B, IB, float64, float64](ks, lo, t)
	case f.width == 8:
		narrowSums[A, IA, B, IB, int64, int64](ks, lo, t)
	default:
		narrowSums[A, IA, B, IB, int32, int64](ks, lo, t)
	}
}

// narrowSums adds the rows of the first len(t.fields) of a, b and c into
// their accumulators: slot k-lo of each row's key k.
func narrowSums[A narrowAcc, IA narrowIn, B narrowAcc, IB narrowIn, C narrowAcc, IC narrowIn](ks []int64, lo int64, t *narrowTable) {
	n := len(ks)
	base := unsafe.Pointer(unsafe.SliceData(t.buf))
	size := t.size
	a := unsafe.Slice((*IA)(narrowData(t, 0)), n)
	switch len(t.fields) {
	case 1:
		for i, k := range ks {
			p := unsafe.Add(base, uintptr(k-lo)*size)
			*(*A)(p) += A(a[i])
		}
	case 2:
		b := unsafe.Slice((*IB)(narrowData(t, 1)), n)
		ob := t.fields[1].off
		for i, k := range ks {
			p := unsafe.Add(base, uintptr(k-lo)*size)
			*(*A)(p) += A(a[i])
			*(*B)(unsafe.Add(p, ob)) += B(b[i])
		}
	default:
		b := unsafe.Slice((*IB)(narrowData(t, 1)), n)
		c := unsafe.Slice((*IC)(narrowData(t, 2)), n)
		ob, oc := t.fields[1].off, t.fields[2].off
		for i, k := range ks {
			p := unsafe.Add(base, uintptr(k-lo)*size)
			*(*A)(p) += A(a[i])
			*(*B)(unsafe.Add(p, ob)) += B(b[i])
			*(*C)(unsafe.Add(p, oc)) += C(c[i])
		}
	}
}
