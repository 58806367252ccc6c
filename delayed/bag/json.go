package bag

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/godask/godask/graph"

	"github.com/godask/godask/internal/files"
)

// JSONOptions configures ReadJSON.
type JSONOptions struct {
	TextOptions
	// SkipBad skips malformed lines instead of failing the run; Skipped, when
	// set, counts them (on the local executor).
	SkipBad bool
	Skipped *atomic.Int64
}

// skipMap hands the Skipped counter of a ReadJSON to its tasks by an id
// in their parameters (it cannot cross a process boundary).
var skipMap sync.Map // uint64 -> *atomic.Int64

// ReadJSON makes a bag of the JSON lines of the files pattern matches, each
// line decoded into a T (blank lines skipped), split like ReadText. A flat
// struct T (strings, numbers, bools) is decoded by a planned decoder without
// per-field reflection; other fields and types go through encoding/json. A
// malformed line fails the run with an error naming the file and line, or,
// with SkipBad, is skipped and counted. A pattern matching nothing is the
// bag's error.
func ReadJSON[T any](pattern string, opts JSONOptions) *Bag[T] {
	rs, err := splitFiles("read_json", pattern, opts.BlockSize)
	if err != nil {
		return errBag[T](err)
	}
	ensurePart[T]()
	kind := kindOf("json", typeName[T]())
	defSrc[T](kind, func(s *spec) (func(context.Context, []any, func(T) bool) error, error) {
		r := graph.NewReader(s.arg)
		fr, err := decodeRange(r.Bytes())
		skip := r.Byte() == 1
		counter := r.Uvarint()
		if err == nil {
			err = r.Err()
		}
		if err != nil {
			return nil, err
		}
		dec := newJSONDecoder[T]()
		return func(ctx context.Context, _ []any, emit func(T) bool) error {
			var n, bad int64
			var ferr error
			line := func(line []byte) bool {
				n++
				if len(line) == 0 || len(line) == int(skipWS(line, 0)) {
					return true
				}
				var x T
				if err := dec.decode(line, &x); err != nil {
					if skip {
						bad++
						return true
					}
					ferr = fmt.Errorf("bag: read_json %s line %d: %w", fr.path, files.LinesBefore(fr.path, fr.start)+n, err)
					return false
				}
				return emit(x)
			}
			// The decoder copies what it keeps of a line (strings into its
			// arena, other values through encoding/json), so every piece is
			// read into the same buffer.
			if err := readChunks(fr, true, func(data []byte) bool { return eachLine(data, line) }); err != nil {
				return err
			}
			if bad > 0 && counter != 0 {
				if c, ok := skipMap.Load(counter); ok {
					c.(*atomic.Int64).Add(bad)
				}
			}
			return ferr
		}, nil
	})
	var counter uint64
	if opts.Skipped != nil {
		counter = uniq.Add(1)
		skipMap.Store(counter, opts.Skipped)
	}
	parts := make([]*pipe, len(rs))
	for i, r := range rs {
		arg := graph.AppendBytes(nil, r.encode())
		if opts.SkipBad {
			arg = append(arg, 1)
		} else {
			arg = append(arg, 0)
		}
		arg = binary.AppendUvarint(arg, counter)
		parts[i] = &pipe{src: &spec{kind: kind, label: "read-json", arg: arg}}
	}
	return &Bag[T]{parts: parts, name: "read-json"}
}
