package parquet

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/memory"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/metadata"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// footer is a file's parsed metadata and Arrow schema, valid while the
// file keeps its size and modification time.
type footer struct {
	size  int64
	mod   time.Time
	md    *metadata.FileMetaData
	sch   *arrow.Schema
	index map[string]int // column name -> field index
	// rgBytes: each row group's uncompressed bytes (the page buffers'
	// limit, see pageAlloc).
	rgBytes []int64
	// chunks: each column chunk's first byte -> what the footer says of it
	// (for checkedFile).
	chunks map[int64]chunkInfo
}

// maxFooters bounds the cache; past it an arbitrary entry is dropped.
const maxFooters = 4096

// parses counts footer parses, for tests.
var parses atomic.Int64

var footers struct {
	sync.Mutex
	m map[string]*footer
}

// footerOf returns the parsed footer of path: from the cache when the file
// has not changed since it was parsed, else parsed now and cached. Open
// (plan time) fills the cache, so the column-chunk tasks of a query share
// one parse per file and process instead of one per task (issue #11: 36% of
// TPC-H q6's CPU was footer parsing).
func footerOf(path string) (f *footer, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("parquet: %s: corrupt footer: %v", path, p)
		}
	}()
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("parquet: open %s: %w", path, err)
	}
	footers.Lock()
	f = footers.m[path]
	footers.Unlock()
	if f != nil && f.size == st.Size() && f.mod.Equal(st.ModTime()) {
		return f, nil
	}
	parses.Add(1)
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("parquet: open %s: %w", path, err)
	}
	defer r.Close()
	fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("parquet: open %s: %w", path, err)
	}
	s, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("parquet: schema of %s: %w", path, err)
	}
	md := r.MetaData()
	// Touch every column chunk's metadata now, under the recover above, so
	// a footer whose chunks do not match its schema is refused here and the
	// readers' later accesses cannot panic.
	for i := 0; i < len(md.RowGroups); i++ {
		rg := md.RowGroup(i)
		if rg.NumRows() < 0 {
			return nil, fmt.Errorf("parquet: %s row group %d: corrupt footer: %d rows", path, i, rg.NumRows())
		}
		for j := 0; j < rg.NumColumns(); j++ {
			cc, err := rg.ColumnChunk(j)
			if err != nil {
				return nil, fmt.Errorf("parquet: %s row group %d column %d: %w", path, i, j, err)
			}
			// A column chunk holds one value (or null) per row of its row
			// group, a repeated column at least one level per row: a row
			// count above that is corrupt, and Arrow's reader would reserve
			// buffers for it before decoding a page (a fuzzed file: 1.4e9
			// rows over chunks of 100 values, a minute of zeroing memory).
			if j < md.Schema.NumColumns() {
				nv, nr := cc.NumValues(), rg.NumRows()
				if md.Schema.Column(j).MaxRepetitionLevel() == 0 && nv != nr || nv < nr {
					return nil, fmt.Errorf("parquet: %s row group %d column %d: corrupt footer: %d values for %d rows", path, i, j, nv, nr)
				}
			}
			// Arrow reads a chunk's TotalCompressedSize bytes into one
			// buffer before looking at them: a corrupt size would allocate
			// gigabytes (a fuzzed file: 7.4 GB and minutes).
			start := chunkStart(cc)
			if n := cc.TotalCompressedSize(); start < 0 || n < 0 || start > st.Size() || n > st.Size()-start {
				return nil, fmt.Errorf("parquet: %s row group %d column %d: corrupt footer: chunk at offset %d of %d bytes lies outside the file (%d bytes)", path, i, j, start, n, st.Size())
			}
		}
	}
	rgBytes := rowGroupBytes(md)
	f = &footer{size: st.Size(), mod: st.ModTime(), md: md, sch: s, index: map[string]int{}, rgBytes: rgBytes, chunks: chunkIndex(md, rgBytes)}
	for i, fl := range s.Fields() {
		if _, dup := f.index[fl.Name]; !dup {
			f.index[fl.Name] = i
		}
	}
	footers.Lock()
	if footers.m == nil {
		footers.m = map[string]*footer{}
	}
	if len(footers.m) >= maxFooters {
		for k := range footers.m {
			delete(footers.m, k)
			break
		}
	}
	footers.m[path] = f
	footers.Unlock()
	return f, nil
}

// open opens path for reading with its cached footer: no footer parse. The
// page buffers of the reader come from pa, which refuses any buffer larger
// than its limit (see pageAlloc).
func (f *footer) open(path string) (fr *pqarrow.FileReader, r *file.Reader, pa *pageAlloc, err error) {
	pa = &pageAlloc{}
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("parquet: open %s: %w", path, err)
	}
	r, err = file.NewParquetReader(&checkedFile{File: fh, chunks: f.chunks}, file.WithMetadata(f.md), file.WithReadProps(pq.NewReaderProperties(pa)))
	if err != nil {
		fh.Close()
		return nil, nil, nil, fmt.Errorf("parquet: open %s: %w", path, err)
	}
	fr, err = pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{BatchSize: 1 << 20}, memory.DefaultAllocator)
	if err != nil {
		r.Close()
		return nil, nil, nil, fmt.Errorf("parquet: open %s: %w", path, err)
	}
	return fr, r, pa, nil
}

// pageAlloc allocates the page buffers of a reader (decompression and page
// data), refusing one larger than limit bytes with a panic that
// readColumnChunk turns into ErrCorrupt. A corrupt page header can claim up
// to 2 GiB uncompressed; Arrow's page reader allocates what it claims, and
// a fuzzed file took 7.4 GB and minutes. No page can be larger than the
// uncompressed bytes the footer gives its row group, so that (plus slack
// for rounding) is the limit; 0 means none.
type pageAlloc struct{ limit atomic.Int64 }

// Allocate implements memory.Allocator.
func (a *pageAlloc) Allocate(n int) []byte {
	a.check(n)
	return memory.DefaultAllocator.Allocate(n)
}

// Reallocate implements memory.Allocator.
func (a *pageAlloc) Reallocate(n int, b []byte) []byte {
	a.check(n)
	return memory.DefaultAllocator.Reallocate(n, b)
}

// Free implements memory.Allocator.
func (a *pageAlloc) Free(b []byte) { memory.DefaultAllocator.Free(b) }

func (a *pageAlloc) check(n int) {
	if l := a.limit.Load(); l > 0 && int64(n) > l {
		panic(fmt.Sprintf("a page buffer of %d bytes is more than the row group's %d uncompressed bytes", n, l))
	}
}
