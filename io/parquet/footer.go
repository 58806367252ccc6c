package parquet

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/memory"
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
		for j := 0; j < rg.NumColumns(); j++ {
			if _, err := rg.ColumnChunk(j); err != nil {
				return nil, fmt.Errorf("parquet: %s row group %d column %d: %w", path, i, j, err)
			}
		}
	}
	f = &footer{size: st.Size(), mod: st.ModTime(), md: md, sch: s, index: map[string]int{}}
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

// open opens path for reading with its cached footer: no footer parse.
func (f *footer) open(path string) (*pqarrow.FileReader, *file.Reader, error) {
	r, err := file.OpenParquetFile(path, false, file.WithMetadata(f.md))
	if err != nil {
		return nil, nil, fmt.Errorf("parquet: open %s: %w", path, err)
	}
	fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{BatchSize: 1 << 20}, memory.DefaultAllocator)
	if err != nil {
		r.Close()
		return nil, nil, fmt.Errorf("parquet: open %s: %w", path, err)
	}
	return fr, r, nil
}
