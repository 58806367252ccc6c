package frame

import (
	"strings"
	"testing"

	"github.com/godask/godask/graph"
)

// TestSplitDecodeBoundsPieces: a frame.split task from the wire with 0
// pieces (a division by zero when run) or an absurd count (an unbounded
// allocation) is refused when decoded, naming the op; a sane one decodes
// to the same op.
func TestSplitDecodeBoundsPieces(t *testing.T) {
	for _, n := range []uint64{0, maxSplitPieces + 1, 1 << 62} {
		p := appendUvarint(appendStrings(nil, []string{"k"}), n)
		op, err := graph.Decode("frame.split", p)
		if err == nil {
			t.Fatalf("%d pieces decoded to %#v", n, op)
		}
		if !strings.Contains(err.Error(), "frame.split") {
			t.Fatalf("%d pieces: error %q does not name the op", n, err)
		}
	}
	for _, n := range []int{1, 7, maxSplitPieces} {
		p, _ := (&splitOp{keys: []string{"a", "é"}, n: n}).Params()
		op, err := graph.Decode("frame.split", p)
		if err != nil {
			t.Fatalf("%d pieces: %v", n, err)
		}
		s := op.(*splitOp)
		if s.n != n || len(s.keys) != 2 || s.keys[1] != "é" {
			t.Fatalf("%d pieces decoded to %+v", n, s)
		}
	}
}
