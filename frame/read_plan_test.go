package frame

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// writePlanFiles writes the same random rows (ints, floats with NaN and
// nulls, unicode strings) as a CSV and a JSON lines file of about 2.5 MiB.
func writePlanFiles(t *testing.T) (csvPath, jsonPath string) {
	t.Helper()
	rng := rand.New(rand.NewSource(7))
	var c, j strings.Builder
	c.WriteString("k,v,s\n")
	words := []string{"a", "ß", "日本", "x,y", ""}
	for i := 0; c.Len() < 5<<19; i++ {
		k := rng.Intn(50) - 25
		if i%977 == 0 {
			k = -9223372036854775807
		}
		v := fmt.Sprint(rng.NormFloat64())
		jv := v
		switch i % 101 {
		case 3:
			v, jv = "", "null"
		case 5:
			v, jv = "NaN", "null"
		}
		w := words[i%len(words)]
		fmt.Fprintf(&c, "%d,%s,%q\n", k, v, w)
		fmt.Fprintf(&j, "{\"k\":%d,\"v\":%s,\"s\":%q}\n", k, jv, w)
	}
	dir := t.TempDir()
	csvPath, jsonPath = filepath.Join(dir, "p.csv"), filepath.Join(dir, "p.jsonl")
	if err := os.WriteFile(csvPath, []byte(c.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jsonPath, []byte(j.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return csvPath, jsonPath
}

// TestMemoryLimitSizesReadRanges: sched.WithMemoryLimit alone (no Go soft
// limit) cuts default-sized CSV and JSON files into ranges a worker's share
// of the limit can parse (24 MiB over 2 workers: 1 MiB ranges), with the
// same rows and aggregates as the unlimited run; an explicit BlockSize, or
// a frame lowered before, keeps its partitions.
func TestMemoryLimitSizesReadRanges(t *testing.T) {
	csvPath, jsonPath := writePlanFiles(t)
	st, _ := os.Stat(csvPath)
	wantParts := int((st.Size() + 1<<20 - 1) >> 20)
	ctx := context.Background()
	limited := []sched.Option{sched.WithMemoryLimit(24 << 20), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir())}
	for _, c := range []struct {
		name string
		read func(block int64) *Frame
	}{
		{"csv", func(b int64) *Frame { return ReadCSV(csvPath, CSVOptions{BlockSize: b}) }},
		{"json", func(b int64) *Frame { return ReadJSON(jsonPath, JSONOptions{BlockSize: b}) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			whole := c.read(0)
			if n := whole.NPartitions(); n != 1 {
				t.Fatalf("default ranges: %d partitions, want 1 (a 2.5 MiB file)", n)
			}
			want, err := whole.Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			f := c.read(0)
			got, err := f.Compute(ctx, limited...)
			if err != nil {
				t.Fatal(err)
			}
			if n := f.NPartitions(); n != wantParts && n != wantParts+1 {
				t.Fatalf("under a 24 MiB limit: %d partitions, want about %d", n, wantParts)
			}
			if fmt.Sprint(rowsOf(got)) != fmt.Sprint(rowsOf(want)) {
				t.Fatalf("rows differ from the unlimited read (%d and %d rows)", got.NumRows(), want.NumRows())
			}
			agg := func() *Frame {
				return c.read(0).GroupBy("k").Agg(Col("v").Sum().Alias("sum"), Col("s").Count().Alias("n"), Col("v").Max().Alias("max")).SortValues(true, "k")
			}
			wantAgg, err := agg().Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			gotAgg, err := agg().Compute(ctx, limited...)
			if err != nil {
				t.Fatal(err)
			}
			sameLoose(t, "groupby under the limit", gotAgg, wantAgg)

			explicit := c.read(8 << 20)
			if _, err := explicit.Compute(ctx, limited...); err != nil {
				t.Fatal(err)
			}
			if n := explicit.NPartitions(); n != 1 {
				t.Fatalf("explicit BlockSize: %d partitions, want 1", n)
			}
			lowered := c.read(0)
			_ = lowered.NPartitions()
			if _, err := lowered.Compute(ctx, limited...); err != nil {
				t.Fatal(err)
			}
			if n := lowered.NPartitions(); n != 1 {
				t.Fatalf("lowered before the run: %d partitions, want 1", n)
			}
		})
	}
}
