//go:build linux

package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// thpEligible reads /proc/self/smaps for the mapping holding p: whether
// the kernel would back it with huge pages (THPeligible).
func thpEligible(t *testing.T, p uintptr) bool {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 && strings.Contains(line, " ") {
			in = lo <= p && p < hi
			continue
		}
		if in && strings.HasPrefix(line, "THPeligible:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "THPeligible:")) == "1"
		}
	}
	t.Skip("no THPeligible line for the mapping (old kernel)")
	return false
}

func TestEnsureAdvisesTheHeapItHandsOut(t *testing.T) {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(b), "[madvise]") || strings.Contains(string(b), "[always]")) {
		t.Skip("transparent huge pages are off here")
	}
	if os.Getenv("GODASK_HUGEPAGES") == "0" {
		t.Skip("GODASK_HUGEPAGES=0")
	}
	Ensure(32 << 20)
	st.Lock()
	lo, hi := st.lo, st.hi
	st.Unlock()
	if hi-lo < 32<<20 {
		t.Fatalf("advised range [%#x, %#x) is smaller than the 32 MiB asked for", lo, hi)
	}
	runtime.GC()
	runtime.GC() // the block is collected; its addresses go to the next objects
	x := make([]byte, 16<<20)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(x)))
	if p < lo || p >= hi {
		t.Skipf("the runtime placed the next block at %#x, outside the advised [%#x, %#x)", p, lo, hi)
	}
	for i := 0; i < len(x); i += 4096 {
		x[i] = 1
	}
	if !thpEligible(t, p) {
		t.Fatalf("the mapping at %#x (in the advised range) is not eligible for huge pages", p)
	}
	// Room already advised is not asked for again.
	Ensure(1 << 20)
	st.Lock()
	lo2, hi2 := st.lo, st.hi
	st.Unlock()
	if lo2 != lo || hi2 != hi {
		t.Fatalf("a second small Ensure moved the range: [%#x, %#x) then [%#x, %#x)", lo, hi, lo2, hi2)
	}
	runtime.KeepAlive(x)
}

func TestAdviseCoversTheBufferAndSkipsSmallOnes(t *testing.T) {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(b), "[madvise]") || strings.Contains(string(b), "[always]")) {
		t.Skip("transparent huge pages are off here")
	}
	if os.Getenv("GODASK_HUGEPAGES") == "0" {
		t.Skip("GODASK_HUGEPAGES=0")
	}
	x := make([]byte, 24<<20)
	Advise(unsafe.Pointer(unsafe.SliceData(x)), len(x))
	for i := 0; i < len(x); i += 4096 {
		x[i] = 1
	}
	// The last full huge page of the buffer is in an advised mapping.
	p := (uintptr(unsafe.Pointer(unsafe.SliceData(x)))+uintptr(len(x)))&^(huge-1) - huge
	if !thpEligible(t, p) {
		t.Fatalf("the buffer's mapping at %#x is not eligible for huge pages after Advise", p)
	}
	st.Lock()
	hi := st.hi
	st.Unlock()
	small := make([]byte, 1<<20)
	Advise(unsafe.Pointer(unsafe.SliceData(small)), len(small))
	st.Lock()
	hi2 := st.hi
	st.Unlock()
	if e := uintptr(unsafe.Pointer(unsafe.SliceData(small))) + uintptr(len(small)); e > hi && hi2 != hi {
		t.Fatalf("a 1 MiB buffer moved the advised top from %#x to %#x", hi, hi2)
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(small)
}
