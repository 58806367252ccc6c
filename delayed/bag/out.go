package bag

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// ToFrame computes the bag and makes a dataframe of its elements, which must
// be structs: every exported field becomes a column, through frame.FromStructs
// (its `frame` tags and field types; a field type it cannot map is an error
// naming the field and its type, reported before anything runs). The frame
// has as many partitions as the bag.
func ToFrame[T any](ctx context.Context, b *Bag[T], opts ...sched.Option) (*frame.Frame, error) {
	if b.err != nil {
		return nil, b.err
	}
	if err := frame.FromStructs[T](1, nil).Err(); err != nil {
		return nil, fmt.Errorf("bag: ToFrame: %w", err)
	}
	xs, err := b.Compute(ctx, opts...)
	if err != nil {
		return nil, err
	}
	f := frame.FromStructs(max(1, len(b.parts)), xs)
	if err := f.Err(); err != nil {
		return nil, fmt.Errorf("bag: ToFrame: %w", err)
	}
	return f, nil
}

// ToText writes the bag's lines to dir, one file per partition
// (part-00000.txt, ...), each line followed by "\n", like
// dask.bag.to_textfiles, and returns the paths. It creates dir.
func ToText(ctx context.Context, b *Bag[string], dir string, opts ...sched.Option) ([]string, error) {
	defSink[string]("write-text", func(s *spec) (func(string) bool, func() (any, error), error) {
		return writer(s, func(w *bufio.Writer, x string) error {
			w.WriteString(x)
			return w.WriteByte('\n')
		})
	})
	return writeAll(ctx, b, "write-text", dir, ".txt", opts)
}

// ToJSON writes the bag's elements to dir as JSON lines (encoding/json), one
// file per partition (part-00000.jsonl, ...), and returns the paths.
func ToJSON[T any](ctx context.Context, b *Bag[T], dir string, opts ...sched.Option) ([]string, error) {
	kind := kindOf("write-json", typeName[T]())
	defSink[T](kind, func(s *spec) (func(T) bool, func() (any, error), error) {
		return writer(s, func(w *bufio.Writer, x T) error {
			p, err := json.Marshal(x)
			if err != nil {
				return err
			}
			w.Write(p)
			return w.WriteByte('\n')
		})
	})
	return writeAll(ctx, b, kind, dir, ".jsonl", opts)
}

// writer is the sink of a writing task: it writes each element to the file
// named by the spec and returns the path.
func writer[T any](s *spec, put func(*bufio.Writer, T) error) (func(T) bool, func() (any, error), error) {
	path := string(graph.NewReader(s.arg).Bytes())
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("bag: write %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var werr error
	var n int64
	return func(x T) bool {
			if werr = put(w, x); werr != nil {
				werr = fmt.Errorf("bag: write %s element %d: %w", path, n, werr)
				return false
			}
			n++
			return true
		}, func() (any, error) {
			if err := w.Flush(); err != nil && werr == nil {
				werr = fmt.Errorf("bag: write %s: %w", path, err)
			}
			if err := f.Close(); err != nil && werr == nil {
				werr = fmt.Errorf("bag: write %s: %w", path, err)
			}
			if werr != nil {
				return nil, werr
			}
			return path, nil
		}, nil
}

func writeAll[T any](ctx context.Context, b *Bag[T], kind, dir, ext string, opts []sched.Option) ([]string, error) {
	if b.err != nil {
		return nil, b.err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bag: write to %s: %w", dir, err)
	}
	ns := make([]*node, len(b.parts))
	for i, p := range b.parts {
		path := filepath.Join(dir, fmt.Sprintf("part-%05d%s", i, ext))
		arg := graph.AppendBytes(nil, []byte(path))
		arg = binary.AppendUvarint(arg, uint64(i))
		op, err := newPipeOp(p, &spec{kind: kind, label: "write", arg: arg})
		if err != nil {
			return nil, err
		}
		if ns[i], err = newNode(op, p.deps); err != nil {
			return nil, err
		}
	}
	vals, err := sched.Run(ctx, graphOf(ns), keysOf(ns), opts...)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = v.(string)
	}
	return out, nil
}
