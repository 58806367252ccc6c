package arrowdict

import (
	"sync"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// TestOfConcurrent: many goroutines reading the dictionary of one fresh
// array get the same dictionary, and -race sees no race (it does with
// x.Dictionary() called directly).
func TestOfConcurrent(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	for _, s := range []string{"a", "é", "a", "日本"} {
		if err := b.AppendString(s); err != nil {
			t.Fatal(err)
		}
	}
	b.AppendNull()
	x := b.NewDictionaryArray()
	defer x.Release()
	var wg sync.WaitGroup
	got := make([]arrow.Array, 8)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[g] = Of(x)
		}()
	}
	wg.Wait()
	for g, d := range got {
		if d != got[0] {
			t.Fatalf("goroutine %d got another dictionary array", g)
		}
	}
	d := got[0].(*array.String)
	if d.Len() != 3 || d.Value(0) != "a" || d.Value(1) != "é" || d.Value(2) != "日本" {
		t.Fatalf("dictionary %v", d)
	}
	if s := d.Value(x.GetValueIndex(2)); s != "a" {
		t.Fatalf("row 2 = %q", s)
	}
}
