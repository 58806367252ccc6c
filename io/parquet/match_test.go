package parquet

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"math/rand"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
)

// TestReadMatchesMatchesRows: ReadMatches gives, row for row, the
// predicate's answer on the column read whole, for string and binary
// columns with nulls (a null's answer is the predicate's on a null), on
// dictionary pages (the predicate then sees the dictionary, far fewer
// values than rows), dictionaries that overflow to PLAIN pages and PLAIN
// only files (the predicate sees the rows), data pages v1 and v2, an
// empty and an all-null row group, and a gzip file our decoder does not
// read.
func TestReadMatchesMatchesRows(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	dir := t.TempDir()
	variants := []struct {
		name  string
		props []pq.WriterProperty
		// 1: the predicate sees only dictionaries; 2: the set values of
		// PLAIN pages (and one null); -1: the rows read whole; 0: a mix
		dict int
	}{
		{"snappy-dict", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageSize(1024)}, 1},
		{"zstd-v2-dict", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Zstd), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDataPageSize(1024)}, 1},
		{"dict-overflow", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Zstd), pq.WithDictionaryPageSizeLimit(256), pq.WithDataPageSize(1024)}, 0},
		{"plain", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Snappy), pq.WithDictionaryDefault(false), pq.WithDataPageSize(1024)}, 2},
		{"plain-v2-none", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryDefault(false)}, 2},
		{"gzip", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Gzip)}, -1},
	}
	// keep: a null, or a value with an "a" or of a length divisible by 3.
	keep := func(v []byte, null bool) bool {
		return null || strings.Contains(string(v), "a") || len(v)%3 == 0
	}
	for _, v := range variants {
		recs := []arrow.Record{
			randomRecord(rng, 3000, 0.2, false),
			randomRecord(rng, 0, 0, false),
			randomRecord(rng, 1700, 1, false),
			randomRecord(rng, 2000, 0.1, false),
		}
		p := filepath.Join(dir, v.name+".parquet")
		writeWith(t, p, recs, pq.NewWriterProperties(v.props...))
		for _, col := range []string{"str", "bin"} {
			for rg, rec := range recs {
				seen := 0
				got, err := ReadMatches(context.Background(), p, rg, col, func(vals arrow.Array) ([]bool, error) {
					seen += vals.Len()
					out := make([]bool, vals.Len())
					for i := range out {
						var b []byte
						switch x := vals.(type) {
						case *array.String:
							b = []byte(x.Value(i))
						case *array.Binary:
							b = x.Value(i)
						}
						out[i] = keep(b, vals.IsNull(i))
					}
					return out, nil
				})
				if err != nil {
					t.Fatalf("%s %s rg %d: %v", v.name, col, rg, err)
				}
				whole, err := ReadColumns(context.Background(), p, rg, []string{col})
				if err != nil {
					t.Fatal(err)
				}
				a := whole.Column(0)
				if len(got) != a.Len() {
					t.Fatalf("%s %s rg %d: %d answers for %d rows", v.name, col, rg, len(got), a.Len())
				}
				for i := range got {
					var b []byte
					switch x := a.(type) {
					case *array.String:
						b = []byte(x.Value(i))
					case *array.Binary:
						b = x.Value(i)
					}
					if want := keep(b, a.IsNull(i)); got[i] != want {
						t.Fatalf("%s %s rg %d row %d: %v, want %v", v.name, col, rg, i, got[i], want)
					}
				}
				n, set := int(rec.NumRows()), a.Len()-a.NullN()
				if n > 100 && (v.dict == 1 && seen >= n || v.dict == 2 && (seen < set || seen > set+1) || v.dict < 0 && seen != n) {
					t.Errorf("%s %s rg %d: the predicate saw %d values for %d rows (%d set)", v.name, col, rg, seen, n, set)
				}
			}
		}
	}
	if _, err := ReadMatches(context.Background(), filepath.Join(dir, "plain.parquet"), 0, "nope", nil); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := ReadMatches(context.Background(), filepath.Join(dir, "plain.parquet"), 9, "str", nil); err == nil || !strings.Contains(err.Error(), "row groups") {
		t.Errorf("row group out of range: %v", err)
	}
}
