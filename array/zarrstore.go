package array

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/godask/godask/io/zarr"
)

// ZarrWriter is a BlockWriter (see Store) into a new Zarr v2 array store:
// CreateZarr prepares the directory, every WriteBlock writes one chunk file
// (an edge block may be shorter than the chunk shape; it is padded with the
// fill value 0, and a block of zeros is not written), and Close writes the
// .zarray metadata last, so an interrupted write never looks complete.
// ToZarr is the same for a whole array in one call (and travels to remote
// workers by path); ZarrWriter lets a computation write blocks as they come.
type ZarrWriter struct {
	path string
	meta *zarr.Meta
}

// CreateZarr prepares a Zarr v2 store at path for an array of the given
// dtype, shape and chunk shape (the ZarrOption compressors apply;
// ZarrSchedule is ignored). An existing Zarr array there is replaced, and a
// non-empty directory that is not a Zarr array is an error.
func CreateZarr(path string, dt DType, shape, chunks []int, opts ...ZarrOption) (*ZarrWriter, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	var cfg zarrConfig
	for _, o := range opts {
		o(&cfg)
	}
	zdt := zarrDType(dt)
	if zdt == "" {
		return nil, fmt.Errorf("array: CreateZarr %s: unsupported dtype %s", path, dt)
	}
	if err := checkShape("CreateZarr", shape); err != nil {
		return nil, err
	}
	if len(chunks) != len(shape) {
		return nil, fmt.Errorf("array: CreateZarr %s: chunk shape %v for shape %v", path, chunks, shape)
	}
	for _, c := range chunks {
		if c <= 0 {
			return nil, fmt.Errorf("array: CreateZarr %s: chunk shape %v must be positive", path, chunks)
		}
	}
	m := &zarr.Meta{Shape: append([]int{}, shape...), Chunks: append([]int{}, chunks...), DType: zdt, Compressor: cfg.comp}
	if _, err := m.MarshalJSON(); err != nil {
		return nil, fmt.Errorf("array: CreateZarr %s: %w", path, err)
	}
	if err := zarr.Prepare(path); err != nil {
		return nil, fmt.Errorf("array: CreateZarr: %w", err)
	}
	return &ZarrWriter{path: path, meta: m}, nil
}

// WriteBlock writes block as the chunk at index; the block must have the
// chunk's shape (cut at the array's end).
func (w *ZarrWriter) WriteBlock(_ context.Context, index []int, block *Dense) error {
	m := w.meta
	if len(index) != len(m.Shape) || block == nil || len(block.Shape) != len(m.Shape) {
		return fmt.Errorf("array: ZarrWriter %s: block %v of shape %v for a %d-d store", w.path, index, shapeOf(block), len(m.Shape))
	}
	for i, v := range index {
		want := min(m.Chunks[i], m.Shape[i]-v*m.Chunks[i])
		if v < 0 || want < 0 || block.Shape[i] != want {
			return fmt.Errorf("array: ZarrWriter %s: block %v has shape %v; chunks %v of shape %v want %d along axis %d", w.path, index, block.Shape, m.Chunks, m.Shape, max(want, 0), i)
		}
	}
	_, err := writeZarrChunk(w.path, m, index, block)
	return err
}

// Close writes the store's metadata; call it after every block is written.
func (w *ZarrWriter) Close() error {
	if err := zarr.WriteMeta(w.path, w.meta); err != nil {
		return fmt.Errorf("array: ZarrWriter: %w", err)
	}
	return nil
}

// writeZarrChunk pads b to the chunk shape and writes it as chunk idx,
// returning the bytes written (0 for a chunk of fill values).
func writeZarrChunk(path string, m *zarr.Meta, idx []int, b *Dense) (int, error) {
	b = b.convert(zarrDTypes[m.DType])
	if !chunksEqual(b.Shape, m.Chunks) {
		full := NewDense(b.DType, m.Chunks...)
		copyInto(full, make([]int, len(m.Chunks)), b)
		b = full
	}
	raw := appendRaw(make([]byte, 0, m.ChunkBytes()), b)
	return m.WriteChunk(path, idx, raw)
}
