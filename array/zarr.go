package array

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/io/zarr"
	"github.com/godask/godask/sched"
)

func init() {
	registerKernel("zarr_read", zarrReadKernel)
	registerKernel("zarr_write", zarrWriteKernel)
}

var zarrDTypes = map[string]DType{"<f8": Float64, "<f4": Float32, "<i8": Int64, "|b1": Bool}

func zarrDType(dt DType) string {
	for k, v := range zarrDTypes {
		if v == dt {
			return k
		}
	}
	return ""
}

// FromZarr opens the Zarr v2 array store at path (see package io/zarr for
// what is supported) as a lazy Array whose blocks are the store's chunks: one
// task per chunk, reading that chunk file when the array is computed (edge
// chunks are cut to the array's shape). Only the .zarray metadata is read
// now; an unreadable or unsupported store (an unsupported codec, dtype or
// order) gives an Array with a sticky error naming it. A missing chunk file
// reads as the store's fill_value (Zarr writers omit chunks holding only
// that); a truncated or corrupt one fails the computation with an error
// naming the file.
func FromZarr(path string) *Array {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs // tasks may run in another working directory
	}
	m, err := zarr.ReadMeta(path)
	if err != nil {
		return &Array{err: fmt.Errorf("array: FromZarr: %w", err)}
	}
	dt := zarrDTypes[m.DType]
	mj, err := m.MarshalJSON()
	if err != nil {
		return errArray("FromZarr %s: %v", path, err)
	}
	c, err := Regular(m.Chunks).normalize(m.Shape)
	if err != nil {
		return errArray("FromZarr %s: %v", path, err)
	}
	return build(m.Shape, c, dt, nil, func(idx []int) (string, []byte, []graph.Key) {
		p := graph.AppendBytes(nil, []byte(path))
		p = graph.AppendBytes(p, mj)
		p = appendInts(p, idx)
		p = appendInts(p, blockShape(c, idx))
		return "zarr_read", p, nil
	})
}

func zarrReadKernel(_ context.Context, p []byte, _ []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	path := string(r.Bytes())
	mj := r.Bytes()
	idx, bs := readInts(r), readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	m, err := zarr.ParseMeta(mj)
	if err != nil {
		return nil, fmt.Errorf("zarr %s: %w", path, err)
	}
	dt := zarrDTypes[m.DType]
	if prod(bs) == 0 {
		return NewDense(dt, bs...), nil
	}
	raw, err := m.ReadChunk(path, idx)
	if err != nil {
		return nil, err
	}
	full, err := decodeRaw(dt, m.Chunks, raw)
	if err != nil {
		return nil, fmt.Errorf("array: zarr chunk %v of %s: %w", idx, path, err)
	}
	if chunksEqual(bs, m.Chunks) {
		return full, nil
	}
	return extractBlock(full, make([]int, len(bs)), bs), nil
}

// ZarrOption configures Array.ToZarr.
type ZarrOption func(*zarrConfig)

type zarrConfig struct {
	comp  *zarr.Compressor
	sched []sched.Option
}

// ZarrZstd compresses every chunk with zstd at the given level (1-22; 0 is
// zstd's default). Without it chunks are stored raw (compressor null).
func ZarrZstd(level int) ZarrOption {
	return func(c *zarrConfig) { c.comp = zarr.Zstd(level) }
}

// ZarrBlosc compresses every chunk with Blosc, as numcodecs' Blosc codec
// does: codec cname ("lz4", "lz4hc", "zstd", "zlib" or "snappy"), level
// clevel (0-9) and shuffle (0 none, 1 byte, 2 bit, -1 automatic).
// ZarrBlosc("lz4", 5, 1) is python zarr's default compressor, so stores
// written with it open in python zarr as they are.
func ZarrBlosc(cname string, clevel, shuffle int) ZarrOption {
	return func(c *zarrConfig) { c.comp = zarr.Blosc(cname, clevel, shuffle) }
}

// ZarrSchedule passes scheduler options (workers, executor, progress) to the
// computation that writes the chunks.
func ZarrSchedule(opts ...sched.Option) ZarrOption {
	return func(c *zarrConfig) { c.sched = append(c.sched, opts...) }
}

// regularChunkSizes returns the Zarr chunk shape of chunks when every chunk
// of every axis but the last has the same length and the last is not longer,
// and ok=false otherwise.
func regularChunkSizes(chunks [][]int) (sizes []int, ok bool) {
	sizes = make([]int, len(chunks))
	ok = true
	for i, c := range chunks {
		sizes[i] = max(c[0], 1)
		for j, v := range c {
			if v > c[0] || (v != c[0] && j != len(c)-1) {
				ok = false
			}
		}
	}
	return sizes, ok
}

// ToZarr computes a and writes it as a Zarr v2 array store at path, one task
// per block writing one chunk file, so the array never needs to fit in
// memory. The store's chunk shape is a's block shape; when a's chunks are not
// regular (all equal along an axis, the last possibly shorter) a is first
// rechunked to regular chunks of its largest block along every axis. Edge
// chunks are padded with zeros (fill_value 0), and a chunk holding only
// zeros is not written (it reads back as the fill value, in python zarr too).
// Without a compressor option chunks are stored raw; ZarrBlosc("lz4", 5, 1)
// is python zarr's default. path is created if needed; an
// existing Zarr array there is replaced, and a non-empty directory that is
// not a Zarr array is an error. The .zarray file is written last, after every
// chunk, so a failed write never leaves a store that looks complete.
func (a *Array) ToZarr(ctx context.Context, path string, opts ...ZarrOption) error {
	if err := a.Err(); err != nil {
		return err
	}
	if err := needKnown("ToZarr", a); err != nil {
		return err
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	var cfg zarrConfig
	for _, o := range opts {
		o(&cfg)
	}
	dt := zarrDType(a.dtype)
	if dt == "" {
		return fmt.Errorf("array: ToZarr %s: unsupported dtype %s", path, a.dtype)
	}
	sizes, ok := regularChunkSizes(a.chunks)
	if !ok {
		sizes = make([]int, len(a.chunks))
		for i, c := range a.chunks {
			for _, v := range c {
				sizes[i] = max(sizes[i], v)
			}
		}
		a = a.Rechunk(Regular(sizes))
		if a.err != nil {
			return a.err
		}
		for i := range sizes {
			sizes[i] = max(sizes[i], 1)
		}
	}
	m := &zarr.Meta{Shape: a.Shape(), Chunks: sizes, DType: dt, Compressor: cfg.comp}
	mj, err := m.MarshalJSON()
	if err != nil {
		return fmt.Errorf("array: ToZarr %s: %w", path, err)
	}
	if err := zarr.Prepare(path); err != nil {
		return fmt.Errorf("array: ToZarr: %w", err)
	}
	if a.Size() > 0 {
		grid := gridShape(a.chunks)
		wc := make([][]int, len(grid))
		for i, g := range grid {
			wc[i] = ones(g)
		}
		w := build(grid, wc, Int64, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
			p := graph.AppendBytes(nil, []byte(path))
			p = graph.AppendBytes(p, mj)
			p = appendInts(p, idx)
			return "zarr_write", p, []graph.Key{a.blockKey(idx)}
		})
		if _, err := w.Compute(ctx, cfg.sched...); err != nil {
			return fmt.Errorf("array: ToZarr %s: %w", path, err)
		}
	}
	if err := zarr.WriteMeta(path, m); err != nil {
		return fmt.Errorf("array: ToZarr: %w", err)
	}
	return nil
}

func zarrWriteKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	path := string(r.Bytes())
	mj := r.Bytes()
	idx := readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	if len(in) != 1 {
		return nil, fmt.Errorf("zarr_write: %d inputs", len(in))
	}
	m, err := zarr.ParseMeta(mj)
	if err != nil {
		return nil, fmt.Errorf("zarr %s: %w", path, err)
	}
	n, err := writeZarrChunk(path, m, idx, in[0])
	if err != nil {
		return nil, err
	}
	out := NewDense(Int64, ones(len(idx))...)
	out.I64[0] = int64(n)
	return out, nil
}
