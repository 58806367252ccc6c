// Package zarr reads and writes Zarr v2 array directory stores: a `.zarray`
// JSON metadata file and one file per chunk named "i.j.k" (C order,
// little-endian, edge chunks padded to the full chunk shape), optionally
// compressed with zstd or Blosc.
//
// It sits below package array in the flow: array.FromZarr turns a store into
// a lazy Array with one task per chunk file, each task calling ReadChunk, and
// Array.ToZarr writes one chunk file per block with WriteChunk (so arrays
// larger than memory can live on disk between runs). This package works on
// raw little-endian chunk bytes and knows nothing of arrays or tasks.
//
// Supported: zarr_format 2, dtypes "<f8", "<f4", "<i8" and "|b1", compressor
// null, {"id": "zstd", "level": N} or numcodecs' Blosc {"id": "blosc",
// "cname": ..., "clevel": ..., "shuffle": ..., "blocksize": ...} (python
// zarr's default), order "C", filters null, dimension_separator ".".
// Anything else is reported as an error naming the store and what is not
// supported. A missing chunk file reads as fill_value (null: zeros), as Zarr
// writers omit chunks holding only fill_value, and WriteChunk omits them too.
//
// Blosc is implemented here (there is no Go Blosc library): the Blosc1
// container of c-blosc 1.x (16-byte header, block offsets, per-block split
// streams, byte and bit shuffle, uncompressed frames), with the codecs lz4
// and lz4hc (github.com/pierrec/lz4), zstd (github.com/klauspost/compress),
// zlib and snappy; blosclz is not supported and reported by name. It reads
// the stores python zarr writes and python zarr reads the ones it writes
// (checked against fixtures in testdata, written by testdata/gen_blosc.py).
package zarr

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// MetaFile is the name of the metadata file of a Zarr v2 array store.
const MetaFile = ".zarray"

// Compressor is a Zarr v2 compressor configuration (numcodecs' JSON):
// {"id": "zstd", "level": N} or {"id": "blosc", "cname": ..., "clevel": ...,
// "shuffle": ..., "blocksize": 0}.
type Compressor struct {
	// ID is "zstd" or "blosc".
	ID string
	// Level is zstd's level (1-22; 0 means zstd's default, 3).
	Level int
	// CName is Blosc's codec: "lz4", "lz4hc", "zstd", "zlib" or "snappy"
	// ("blosclz" is not supported).
	CName string
	// CLevel is Blosc's compression level, 0 (stored raw) to 9.
	CLevel int
	// Shuffle is Blosc's filter: 0 none, 1 byte shuffle, 2 bit shuffle, -1
	// automatic (bit shuffle for 1-byte elements, byte shuffle otherwise).
	Shuffle int
	// BlockSize is Blosc's block size in bytes (0: automatic). It is
	// recorded; writes always choose the block size automatically.
	BlockSize int
}

// Zstd returns the zstd compressor configuration at the given level (1-22).
func Zstd(level int) *Compressor { return &Compressor{ID: "zstd", Level: level} }

// Blosc returns a Blosc compressor configuration: codec cname ("lz4",
// "lz4hc", "zstd", "zlib" or "snappy"), level clevel (0-9) and shuffle (0
// none, 1 byte, 2 bit, -1 automatic). Blosc("lz4", 5, 1) is python zarr's
// default compressor.
func Blosc(cname string, clevel, shuffle int) *Compressor {
	return &Compressor{ID: "blosc", CName: cname, CLevel: clevel, Shuffle: shuffle}
}

type zstdJSON struct {
	ID    string `json:"id"`
	Level int    `json:"level"`
}

type bloscJSON struct {
	ID        string `json:"id"`
	CName     string `json:"cname"`
	CLevel    int    `json:"clevel"`
	Shuffle   int    `json:"shuffle"`
	BlockSize int    `json:"blocksize"`
}

// MarshalJSON encodes c as numcodecs does.
func (c *Compressor) MarshalJSON() ([]byte, error) {
	if c.ID == "blosc" {
		return json.Marshal(bloscJSON{c.ID, c.CName, c.CLevel, c.Shuffle, c.BlockSize})
	}
	return json.Marshal(zstdJSON{c.ID, c.Level})
}

// UnmarshalJSON decodes numcodecs' JSON of a compressor.
func (c *Compressor) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID        string `json:"id"`
		Level     *int   `json:"level"`
		CName     string `json:"cname"`
		CLevel    int    `json:"clevel"`
		Shuffle   int    `json:"shuffle"`
		BlockSize int    `json:"blocksize"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = Compressor{ID: raw.ID, CName: raw.CName, CLevel: raw.CLevel, Shuffle: raw.Shuffle, BlockSize: raw.BlockSize}
	if raw.Level != nil {
		c.Level = *raw.Level
	}
	return nil
}

// check reports whether c can be read and written.
func (c *Compressor) check() error {
	switch c.ID {
	case "zstd":
		return nil
	case "blosc":
		if err := checkBloscCName(c.CName); err != nil {
			return err
		}
		if c.CLevel < 0 || c.CLevel > 9 || c.Shuffle < -1 || c.Shuffle > 2 {
			return fmt.Errorf("bad blosc clevel %d or shuffle %d", c.CLevel, c.Shuffle)
		}
		return nil
	}
	return fmt.Errorf("unsupported compressor %q (null, \"zstd\" and \"blosc\" are)", c.ID)
}

// Meta is the content of a .zarray file.
type Meta struct {
	Shape      []int       // array shape
	Chunks     []int       // chunk shape, one positive length per axis
	DType      string      // "<f8", "<f4", "<i8" or "|b1"
	Compressor *Compressor // nil: chunks are stored raw
	FillValue  float64     // fill_value (NaN for "NaN", 0 for null; true is 1)
}

type rawMeta struct {
	ZarrFormat         int             `json:"zarr_format"`
	Shape              []int           `json:"shape"`
	Chunks             []int           `json:"chunks"`
	DType              string          `json:"dtype"`
	Compressor         json.RawMessage `json:"compressor"`
	FillValue          json.RawMessage `json:"fill_value"`
	Order              string          `json:"order"`
	Filters            json.RawMessage `json:"filters"`
	DimensionSeparator string          `json:"dimension_separator,omitempty"`
}

// ItemSize returns the bytes per element of a supported dtype (0 otherwise).
func ItemSize(dtype string) int {
	switch dtype {
	case "<f8", "<i8":
		return 8
	case "<f4":
		return 4
	case "|b1":
		return 1
	}
	return 0
}

// ReadMeta reads and validates the .zarray file of the store at dir.
func ReadMeta(dir string) (*Meta, error) {
	name := filepath.Join(dir, MetaFile)
	b, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("zarr: %s is not a Zarr v2 array (no %s): %w", dir, MetaFile, err)
		}
		return nil, fmt.Errorf("zarr: %w", err)
	}
	m, err := ParseMeta(b)
	if err != nil {
		return nil, fmt.Errorf("zarr: %s: %w", name, err)
	}
	return m, nil
}

// ParseMeta decodes and validates the JSON of a .zarray file.
func ParseMeta(b []byte) (*Meta, error) {
	var r rawMeta
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("malformed metadata: %w", err)
	}
	if r.ZarrFormat != 2 {
		return nil, fmt.Errorf("unsupported zarr_format %d (only 2 is)", r.ZarrFormat)
	}
	if ItemSize(r.DType) == 0 {
		return nil, fmt.Errorf("unsupported dtype %q (\"<f8\", \"<f4\", \"<i8\" and \"|b1\" are)", r.DType)
	}
	if r.Order != "C" {
		return nil, fmt.Errorf("unsupported order %q (only \"C\" is)", r.Order)
	}
	if f := strings.TrimSpace(string(r.Filters)); f != "" && f != "null" && f != "[]" {
		return nil, fmt.Errorf("unsupported filters %s (only null is)", f)
	}
	if r.DimensionSeparator != "" && r.DimensionSeparator != "." {
		return nil, fmt.Errorf("unsupported dimension_separator %q (only \".\" is)", r.DimensionSeparator)
	}
	m := &Meta{Shape: r.Shape, Chunks: r.Chunks, DType: r.DType}
	if m.Shape == nil {
		m.Shape = []int{}
	}
	if m.Chunks == nil {
		m.Chunks = []int{}
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	if c := strings.TrimSpace(string(r.Compressor)); c != "" && c != "null" {
		var comp Compressor
		if err := json.Unmarshal(r.Compressor, &comp); err != nil {
			return nil, fmt.Errorf("malformed compressor %s: %w", c, err)
		}
		if err := comp.check(); err != nil {
			return nil, err
		}
		m.Compressor = &comp
	}
	fv, err := parseFill(r.FillValue)
	if err != nil {
		return nil, err
	}
	m.FillValue = fv
	return m, nil
}

func parseFill(b json.RawMessage) (float64, error) {
	s := strings.TrimSpace(string(b))
	switch s {
	case "", "null", "false":
		return 0, nil
	case "true":
		return 1, nil
	case `"NaN"`:
		return math.NaN(), nil
	case `"Infinity"`:
		return math.Inf(1), nil
	case `"-Infinity"`:
		return math.Inf(-1), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("unsupported fill_value %s", s)
	}
	return v, nil
}

func (m *Meta) check() error {
	if ItemSize(m.DType) == 0 {
		return fmt.Errorf("unsupported dtype %q (\"<f8\", \"<f4\", \"<i8\" and \"|b1\" are)", m.DType)
	}
	if len(m.Chunks) != len(m.Shape) {
		return fmt.Errorf("chunks %v do not match shape %v (%d axes vs %d)", m.Chunks, m.Shape, len(m.Chunks), len(m.Shape))
	}
	for i := range m.Shape {
		if m.Shape[i] < 0 || m.Chunks[i] <= 0 {
			return fmt.Errorf("bad shape %v or chunks %v on axis %d", m.Shape, m.Chunks, i)
		}
	}
	// A chunk is decoded whole into memory: its size must be a real int
	// (no overflow) and at most MaxChunkBytes, as numcodecs' Blosc and most
	// writers also require. The chunk count must not overflow either.
	cb, nchunks := int64(ItemSize(m.DType)), int64(1)
	for i, c := range m.Chunks {
		if int64(c) > MaxChunkBytes/cb {
			return fmt.Errorf("chunks %v of %s: a chunk would exceed %d bytes (axis %d)", m.Chunks, m.DType, int64(MaxChunkBytes), i)
		}
		cb *= int64(c)
		g := (int64(m.Shape[i]) + int64(c) - 1) / int64(c)
		if g > 0 && nchunks > (1<<48)/g {
			return fmt.Errorf("shape %v in chunks %v: more than 2^48 chunks", m.Shape, m.Chunks)
		}
		nchunks *= g
	}
	if m.Compressor != nil {
		if err := m.Compressor.check(); err != nil {
			return err
		}
	}
	return nil
}

// MarshalJSON encodes m as the content of a .zarray file.
func (m *Meta) MarshalJSON() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	r := rawMeta{ZarrFormat: 2, Shape: m.Shape, Chunks: m.Chunks, DType: m.DType, Order: "C",
		Compressor: json.RawMessage("null"), Filters: json.RawMessage("null"), DimensionSeparator: "."}
	if m.Compressor != nil {
		c, err := json.Marshal(m.Compressor)
		if err != nil {
			return nil, err
		}
		r.Compressor = c
	}
	switch {
	case math.IsNaN(m.FillValue):
		r.FillValue = json.RawMessage(`"NaN"`)
	case math.IsInf(m.FillValue, 1):
		r.FillValue = json.RawMessage(`"Infinity"`)
	case math.IsInf(m.FillValue, -1):
		r.FillValue = json.RawMessage(`"-Infinity"`)
	case m.DType == "|b1":
		r.FillValue = json.RawMessage(strconv.FormatBool(m.FillValue != 0))
	case m.DType == "<i8":
		r.FillValue = json.RawMessage(strconv.FormatInt(int64(m.FillValue), 10))
	default:
		r.FillValue = json.RawMessage(strconv.FormatFloat(m.FillValue, 'g', -1, 64))
	}
	return json.MarshalIndent(r, "", "    ")
}

// WriteMeta writes m as dir/.zarray, creating dir if needed.
func WriteMeta(dir string, m *Meta) error {
	b, err := m.MarshalJSON()
	if err != nil {
		return fmt.Errorf("zarr: write %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("zarr: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, MetaFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("zarr: %w", err)
	}
	return nil
}

// Grid returns the number of chunks along every axis.
func (m *Meta) Grid() []int {
	g := make([]int, len(m.Shape))
	for i, s := range m.Shape {
		g[i] = (s + m.Chunks[i] - 1) / m.Chunks[i]
	}
	return g
}

// MaxChunkBytes is the largest decoded chunk accepted (2 GiB - 1, Blosc's
// own limit): metadata asking for more is refused by ParseMeta.
const MaxChunkBytes = 1<<31 - 1

// ChunkBytes returns the decoded size of one (full, padded) chunk.
func (m *Meta) ChunkBytes() int {
	n := ItemSize(m.DType)
	for _, c := range m.Chunks {
		n *= c
	}
	return n
}

// ChunkName returns the file name of the chunk at grid index idx ("0" for a
// 0-d array).
func ChunkName(idx []int) string {
	if len(idx) == 0 {
		return "0"
	}
	parts := make([]string, len(idx))
	for i, v := range idx {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ".")
}

var chunkNameRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

// IsChunkName reports whether name looks like a chunk file name ("i.j.k").
func IsChunkName(name string) bool { return chunkNameRE.MatchString(name) }

var (
	decOnce sync.Once
	dec     *zstd.Decoder
	decErr  error
	encs    sync.Map // level -> *zstd.Encoder
)

func decoder() (*zstd.Decoder, error) {
	decOnce.Do(func() {
		// A decoder used only through DecodeAll starts no goroutines.
		dec, decErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxChunkBytes))
	})
	return dec, decErr
}

func encoder(level int) (*zstd.Encoder, error) {
	if e, ok := encs.Load(level); ok {
		return e.(*zstd.Encoder), nil
	}
	opts := []zstd.EOption{zstd.WithEncoderConcurrency(1)}
	if level != 0 {
		opts = append(opts, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)))
	}
	e, err := zstd.NewWriter(nil, opts...)
	if err != nil {
		return nil, err
	}
	v, _ := encs.LoadOrStore(level, e)
	return v.(*zstd.Encoder), nil
}

// FillChunk returns the decoded bytes of a chunk holding only fill_value:
// what a missing chunk file reads as.
func (m *Meta) FillChunk() []byte {
	n := ItemSize(m.DType)
	one := make([]byte, n)
	switch m.DType {
	case "<f8":
		binary.LittleEndian.PutUint64(one, math.Float64bits(m.FillValue))
	case "<f4":
		binary.LittleEndian.PutUint32(one, math.Float32bits(float32(m.FillValue)))
	case "<i8":
		binary.LittleEndian.PutUint64(one, uint64(int64(m.FillValue)))
	case "|b1":
		if m.FillValue != 0 {
			one[0] = 1
		}
	}
	return bytes.Repeat(one, m.ChunkBytes()/n)
}

// ReadChunk reads the chunk at grid index idx of the store at dir and
// returns its decoded bytes: ChunkBytes() little-endian bytes, the full
// (padded) chunk in C order. A missing chunk file reads as fill_value (Zarr
// writers omit chunks holding only fill_value); a truncated or corrupt one is
// an error naming the file.
func (m *Meta) ReadChunk(dir string, idx []int) ([]byte, error) {
	name := filepath.Join(dir, ChunkName(idx))
	b, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return m.FillChunk(), nil
		}
		return nil, fmt.Errorf("zarr: %w", err)
	}
	want := m.ChunkBytes()
	switch {
	case m.Compressor == nil:
	case m.Compressor.ID == "blosc":
		// The frame header's size is checked before it is allocated.
		if len(b) >= bloscHeaderLen {
			if nb := int64(binary.LittleEndian.Uint32(b[4:])); nb != int64(want) {
				return nil, fmt.Errorf("zarr: chunk %s: blosc frame of %d bytes, want %d (chunk shape %v, dtype %s)", name, nb, want, m.Chunks, m.DType)
			}
		}
		out, err := bloscDecode(b)
		if err != nil {
			return nil, fmt.Errorf("zarr: decompress chunk %s: blosc: %w", name, err)
		}
		b = out
	default:
		d, err := decoder()
		if err != nil {
			return nil, fmt.Errorf("zarr: zstd: %w", err)
		}
		var h zstd.Header
		if h.Decode(b) == nil && h.HasFCS && h.FrameContentSize != uint64(want) {
			return nil, fmt.Errorf("zarr: chunk %s: zstd frame of %d bytes, want %d (chunk shape %v, dtype %s)", name, h.FrameContentSize, want, m.Chunks, m.DType)
		}
		out, err := d.DecodeAll(b, make([]byte, 0, want))
		if err != nil {
			return nil, fmt.Errorf("zarr: decompress chunk %s: zstd: %w", name, err)
		}
		b = out
	}
	if len(b) != want {
		return nil, fmt.Errorf("zarr: chunk %s has %d bytes, want %d (chunk shape %v, dtype %s)", name, len(b), want, m.Chunks, m.DType)
	}
	return b, nil
}

// WriteChunk compresses (if m has a compressor) and writes the full, padded
// chunk data (ChunkBytes() little-endian bytes, C order) as the chunk at grid
// index idx of the store at dir, which must exist. A chunk holding only
// fill_value is not written (and an existing file for it is removed), as
// python zarr does; it reads back as fill_value. It returns the number of
// bytes written.
func (m *Meta) WriteChunk(dir string, idx []int, data []byte) (int, error) {
	name := filepath.Join(dir, ChunkName(idx))
	if len(data) != m.ChunkBytes() {
		return 0, fmt.Errorf("zarr: write chunk %s: %d bytes, want %d", name, len(data), m.ChunkBytes())
	}
	if bytes.Equal(data, m.FillChunk()) {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("zarr: %w", err)
		}
		return 0, nil
	}
	switch {
	case m.Compressor == nil:
	case m.Compressor.ID == "blosc":
		c := m.Compressor
		shuffle := c.Shuffle
		if shuffle == -1 {
			shuffle = 1
			if ItemSize(m.DType) == 1 {
				shuffle = 2
			}
		}
		out, err := bloscEncode(data, ItemSize(m.DType), c.CName, c.CLevel, shuffle)
		if err != nil {
			return 0, fmt.Errorf("zarr: write chunk %s: %w", name, err)
		}
		data = out
	default:
		e, err := encoder(m.Compressor.Level)
		if err != nil {
			return 0, fmt.Errorf("zarr: zstd level %d: %w", m.Compressor.Level, err)
		}
		data = e.EncodeAll(data, nil)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return 0, fmt.Errorf("zarr: %w", err)
	}
	return len(data), nil
}

// Prepare makes dir ready to receive a new array: it creates it if needed,
// and when it already holds a Zarr array it removes that array's .zarray and
// chunk files. A directory holding anything else is an error, so that a
// wrong path never loses unrelated files.
func Prepare(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("zarr: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("zarr: %w", err)
	}
	isArray := false
	for _, e := range ents {
		if e.Name() == MetaFile {
			isArray = true
		}
	}
	for _, e := range ents {
		if !isArray || (e.Name() != MetaFile && e.Name() != ".zattrs" && !IsChunkName(e.Name())) {
			return fmt.Errorf("zarr: %s is not empty and not a Zarr array store (found %s)", dir, e.Name())
		}
	}
	for _, e := range ents {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("zarr: %w", err)
		}
	}
	return nil
}
