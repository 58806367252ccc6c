// Package arrowdict reads the dictionary of an Arrow dictionary array safely
// from several goroutines at once.
//
// Where it sits: frame and ml read categorical columns of records that the
// scheduler's memory manager holds and hands to several tasks at once (a
// persisted table, a shuffle piece shared by its readers). Arrow Go v15's
// (*array.Dictionary).Dictionary builds the dictionary array on its first
// call and stores it in the shared array without a lock, so two tasks
// reading one record race there. Every read of a dictionary in godask goes
// through Of.
package arrowdict

import (
	"sync"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

var mu sync.Mutex

// Of returns the dictionary of x, safe while other goroutines call Of on x.
// The first call for x builds the dictionary array (under a lock); later
// calls return the same array.
func Of(x *array.Dictionary) arrow.Array {
	mu.Lock()
	d := x.Dictionary()
	mu.Unlock()
	return d
}
