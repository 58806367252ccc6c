package sched

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestComputeNilCollection: a nil collection is an error naming its
// position, not a panic.
func TestComputeNilCollection(t *testing.T) {
	for _, cs := range [][]Collection{{nil}, {nil, nil}} {
		_, err := Compute(context.Background(), cs)
		var pe *PanicError
		if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "collection 0 is nil") {
			t.Fatalf("err %v", err)
		}
		if _, err := Persist(context.Background(), cs); err == nil {
			t.Fatal("Persist of nil: no error")
		}
	}
}
