package delayed

import (
	"testing"
	"unsafe"
)

// TestCellSizes keeps the call cells within their size classes: a cell is
// the whole cost of a call, and a graph of 10^7 calls pays every byte in
// fresh memory.
func TestCellSizes(t *testing.T) {
	if s := unsafe.Sizeof(cell1[int, int]{}); s > 208 {
		t.Errorf("cell1[int, int] is %d bytes, want at most 208", s)
	}
	if s := unsafe.Sizeof(cell2[int, int, int]{}); s > 208 {
		t.Errorf("cell2[int, int, int] is %d bytes, want at most 208", s)
	}
}
