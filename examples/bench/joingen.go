package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// genJoinMain parses "gen join -n 1e7 -dir DIR".
func genJoinMain(args []string) error {
	fs := flag.NewFlagSet("gen join", flag.ExitOnError)
	nf := fs.String("n", "1e7", "rows of the left table x")
	dir := fs.String("dir", ".", "output directory")
	seed := fs.Int64("seed", 108, "random seed")
	pqOnly := fs.Bool("parquet-only", false, "write only the Parquet files (no CSV: about half the time and disk at 1e8 rows)")
	fs.Parse(args)
	nfl, err := strconv.ParseFloat(*nf, 64)
	if err != nil || nfl < 1 {
		return fmt.Errorf("bad -n %q", *nf)
	}
	return genJoin(int(nfl), *dir, *seed, *pqOnly)
}

// joinKeys is db-benchmark's split_xlr: a permutation of 1..1.1n split into
// keys in both sides (x, 90%), keys only on the left (l, 10%) and keys only
// on the right (r, 10%).
type joinKeys struct{ x, l, r []int32 }

func splitXLR(rng *rand.Rand, n int) joinKeys {
	nx := int(float64(n) * 0.9)
	if nx < 1 {
		nx = 1
	}
	nl, nr := n-nx, n-nx
	if nl < 1 {
		nl, nr = 1, 1
	}
	perm := make([]int32, nx+nl+nr)
	for i := range perm {
		perm[i] = int32(i + 1)
	}
	rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	return joinKeys{x: perm[:nx], l: perm[nx : nx+nl], r: perm[nx+nl:]}
}

// left and right are the key values each side draws from.
func (k joinKeys) left() []int32  { return append(append([]int32(nil), k.x...), k.l...) }
func (k joinKeys) right() []int32 { return append(append([]int32(nil), k.x...), k.r...) }

// keyDraw yields size values from keys as db-benchmark's sample_all: every
// key once when size equals the key count (a shuffled permutation), else
// uniform draws.
type keyDraw struct {
	keys []int32
	perm bool
	rng  *rand.Rand
	i    int
}

func newKeyDraw(rng *rand.Rand, keys []int32, size int) *keyDraw {
	d := &keyDraw{keys: keys, rng: rng}
	if size == len(keys) {
		d.perm = true
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	}
	return d
}

func (d *keyDraw) next() int64 {
	if d.perm {
		d.i++
		return int64(d.keys[d.i-1])
	}
	return int64(d.keys[d.rng.Intn(len(d.keys))])
}

// joinTable streams one table to a CSV file and a Parquet file.
type joinTable struct {
	name  string
	ints  []string // int key columns, then their "id"+n string columns
	draws []*keyDraw
	rows  int
}

// genJoin writes db-benchmark's join tables (its _data/join-datagen.R): x
// (n rows: id1, id2, id3 with n/1e6, n/1e3 and n distinct values, id4..id6
// = "id"+id1..id3, v1), small (n/1e6 rows: id1, id4, v2), medium (n/1e3:
// id1, id2, id4, id5, v2) and big (n: id1, id2, id3, id4, id5, id6, v2).
// Keys come from split_xlr: 90% of each table's keys are shared, 10% belong
// to one side. v1, v2 are uniform [0,100) rounded to 6 places. Each table is
// written as J1_<n>_<rows>_0_0.csv and .parquet, in chunks (only the
// .parquet with pqOnly).
func genJoin(n int, dir string, seed int64, pqOnly bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(seed))
	sz := func(d float64) int { return max(1, int(float64(n)/d)) }
	k1, k2, k3 := splitXLR(rng, sz(1e6)), splitXLR(rng, sz(1e3)), splitXLR(rng, n)
	label := func(v int) string {
		e := math.Log10(float64(v))
		if e == math.Trunc(e) {
			return fmt.Sprintf("1e%d", int(e))
		}
		return strconv.Itoa(v)
	}
	tabs := []joinTable{
		{name: fmt.Sprintf("J1_%s_NA_0_0", label(n)), ints: []string{"id1", "id2", "id3"}, rows: n,
			draws: []*keyDraw{newKeyDraw(rng, k1.left(), n), newKeyDraw(rng, k2.left(), n), newKeyDraw(rng, k3.left(), n)}},
		{name: fmt.Sprintf("J1_%s_%s_0_0", label(n), label(sz(1e6))), ints: []string{"id1"}, rows: sz(1e6),
			draws: []*keyDraw{newKeyDraw(rng, k1.right(), sz(1e6))}},
		{name: fmt.Sprintf("J1_%s_%s_0_0", label(n), label(sz(1e3))), ints: []string{"id1", "id2"}, rows: sz(1e3),
			draws: []*keyDraw{newKeyDraw(rng, k1.right(), sz(1e3)), newKeyDraw(rng, k2.right(), sz(1e3))}},
		{name: fmt.Sprintf("J1_%s_%s_0_0", label(n), label(n)), ints: []string{"id1", "id2", "id3"}, rows: n,
			draws: []*keyDraw{newKeyDraw(rng, k1.right(), n), newKeyDraw(rng, k2.right(), n), newKeyDraw(rng, k3.right(), n)}},
	}
	for i, t := range tabs {
		v := "v2"
		if i == 0 {
			v = "v1"
		}
		if err := t.write(dir, v, rng, pqOnly); err != nil {
			return err
		}
	}
	return nil
}

func (t *joinTable) write(dir, vname string, rng *rand.Rand, pqOnly bool) error {
	var fields []arrow.Field
	for _, c := range t.ints {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.PrimitiveTypes.Int64})
	}
	for _, c := range t.ints {
		fields = append(fields, arrow.Field{Name: "id" + strconv.Itoa(int(c[2]-'0')+3), Type: arrow.BinaryTypes.String})
	}
	fields = append(fields, arrow.Field{Name: vname, Type: arrow.PrimitiveTypes.Float64})
	schema := arrow.NewSchema(fields, nil)

	csvPath := filepath.Join(dir, t.name+".csv")
	if pqOnly {
		csvPath = os.DevNull
	}
	cf, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	defer cf.Close()
	cw := bufio.NewWriterSize(cf, 4<<20)
	for i, f := range fields {
		if i > 0 {
			cw.WriteByte(',')
		}
		cw.WriteString(f.Name)
	}
	cw.WriteByte('\n')
	pf, err := os.Create(filepath.Join(dir, t.name+".parquet"))
	if err != nil {
		return err
	}
	defer pf.Close()
	const chunk = 1 << 20
	props := pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Snappy), pq.WithMaxRowGroupLength(chunk), pq.WithStats(true))
	pw, err := pqarrow.NewFileWriter(schema, pf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return err
	}
	nk := len(t.ints)
	var line []byte
	for done := 0; done < t.rows; done += chunk {
		m := min(chunk, t.rows-done)
		ib := make([]*array.Int64Builder, nk)
		sb := make([]*array.StringBuilder, nk)
		for k := range ib {
			ib[k] = array.NewInt64Builder(memory.DefaultAllocator)
			sb[k] = array.NewStringBuilder(memory.DefaultAllocator)
		}
		vb := array.NewFloat64Builder(memory.DefaultAllocator)
		keys := make([]int64, nk)
		for i := 0; i < m; i++ {
			line = line[:0]
			for k, d := range t.draws {
				keys[k] = d.next()
				ib[k].Append(keys[k])
				line = strconv.AppendInt(line, keys[k], 10)
				line = append(line, ',')
			}
			for k := range keys {
				s := len(line)
				line = append(line, "id"...)
				line = strconv.AppendInt(line, keys[k], 10)
				sb[k].BinaryBuilder.Append(line[s:])
				line = append(line, ',')
			}
			v := math.Round(rng.Float64()*100*1e6) / 1e6
			vb.Append(v)
			if !pqOnly {
				line = strconv.AppendFloat(line, v, 'f', -1, 64)
				line = append(line, '\n')
				cw.Write(line)
			}
		}
		var cols []arrow.Array
		for k := range ib {
			cols = append(cols, ib[k].NewArray())
		}
		for k := range sb {
			cols = append(cols, sb[k].NewArray())
		}
		cols = append(cols, vb.NewArray())
		rec := array.NewRecord(schema, cols, int64(m))
		if err := pw.Write(rec); err != nil {
			return fmt.Errorf("gen join: %s: %w", t.name, err)
		}
		rec.Release()
	}
	if err := pw.Close(); err != nil {
		return err
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	what := ".csv and .parquet"
	if pqOnly {
		what = ".parquet"
	}
	fmt.Fprintf(os.Stderr, "wrote %s%s (%d rows)\n", filepath.Join(dir, t.name), what, t.rows)
	return nil
}
