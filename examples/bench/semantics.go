package main

// The semantics suite (issue #10): random frames built to break things
// (nulls in keys and values, NaN, ±Inf, -0.0, int64 extremes, unicode, dates
// before 1970, empty partitions) are written as Parquet by godask, queried
// by godask, and the same queries, spelled in SQL to state frame's rules
// (frame/SEMANTICS.md), are run by DuckDB on the files godask wrote
// (peers/semantics_duckdb.mjs). Output: one line per seed,
// "semantics/seedN queries=Q matched=M documented=D", and every mismatch on
// stderr.
//
//	go run ./examples/bench semantics -seeds 3

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

func init() { suites["semantics"] = semanticsSuite }

// semQuery is one query: frame's answer and the SQL that should give it.
type semQuery struct {
	Name    string     `json:"name"`
	SQL     string     `json:"sql"`
	Ordered bool       `json:"ordered"`
	Doc     string     `json:"documented,omitempty"` // a documented difference
	Rows    [][]string `json:"rows"`
}

// wrapSQL is DuckDB's exact sum of BIGINTs wrapped to int64, frame's rule.
func wrapSQL(e string) string {
	return fmt.Sprintf("((((%s)::HUGEINT + 9223372036854775808) %% 18446744073709551616 + 18446744073709551616) %% 18446744073709551616 - 9223372036854775808)::BIGINT", e)
}

func semanticsSuite(args []string) error {
	fs := flag.NewFlagSet("semantics", flag.ExitOnError)
	seeds := fs.Int("seeds", 3, "random data sets")
	rows := fs.Int("rows", 3000, "rows per data set")
	dir := fs.String("dir", "", "where to write the data (default: a temporary directory)")
	script := fs.String("script", "examples/bench/peers/semantics_duckdb.mjs", "the DuckDB side")
	exe := fs.String("executor", "local", "local, loopback or tiny (4 KB memory limit)")
	fs.Parse(args)
	if *dir == "" {
		d, err := os.MkdirTemp("", "semantics")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	var opts []sched.Option
	switch *exe {
	case "loopback":
		opts = append(opts, sched.WithExecutor(sched.NewLoopback()))
	case "tiny":
		opts = append(opts, sched.WithMemoryLimit(4096), sched.WithSpillDir(*dir))
	}
	ctx := context.Background()
	for seed := 1; seed <= *seeds; seed++ {
		d := filepath.Join(*dir, fmt.Sprintf("seed%d", seed))
		if err := semData(int64(seed), *rows).WriteParquet(ctx, d, ""); err != nil {
			return err
		}
		t := frame.ReadParquet(d)
		qs, err := semQueries(ctx, t, opts)
		if err != nil {
			return fmt.Errorf("seed %d: %w", seed, err)
		}
		b, err := json.Marshal(map[string]any{"parquet": d + "/*.parquet", "queries": qs})
		if err != nil {
			return err
		}
		ans := filepath.Join(*dir, fmt.Sprintf("answers%d.json", seed))
		if err := os.WriteFile(ans, b, 0o644); err != nil {
			return err
		}
		cmd := exec.Command("node", *script, ans, fmt.Sprintf("seed%d", seed))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("seed %d: node %s: %w", seed, *script, err)
		}
	}
	return nil
}

// semData is a random frame: k int key (nulls), s unicode string key
// (nulls), i int64 with extremes, f float64 with NaN, ±Inf, -0.0, ts
// timestamps 1907-2033 with microseconds, id the row number; partitions of
// random sizes, some empty.
func semData(seed int64, n int) *frame.Frame {
	rng := rand.New(rand.NewSource(seed))
	words := []string{"a", "B", "ß", "straße", "Élan", "日本", "🙂", "", "z z"}
	ints := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, 1 << 53}
	floats := []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.NaN(), math.Inf(1), math.Inf(-1), 1e300, 1e16, 1e-5}
	mem := memory.DefaultAllocator
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true}, {Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	var recs []arrow.Record
	id := int64(0)
	for left := n; left > 0 || len(recs) < 2; {
		m := rng.Intn(n/4 + 1)
		if rng.Intn(4) == 0 || left == 0 {
			m = 0
		}
		m = min(m, left)
		left -= m
		b := array.NewRecordBuilder(mem, sch)
		for r := 0; r < m; r++ {
			if rng.Intn(8) == 0 {
				b.Field(0).AppendNull()
			} else {
				b.Field(0).(*array.Int64Builder).Append(int64(rng.Intn(9) - 3))
			}
			if rng.Intn(8) == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(words[rng.Intn(len(words))])
			}
			switch {
			case rng.Intn(6) == 0:
				b.Field(2).AppendNull()
			case rng.Intn(4) == 0:
				b.Field(2).(*array.Int64Builder).Append(ints[rng.Intn(len(ints))])
			default:
				b.Field(2).(*array.Int64Builder).Append(int64(rng.Intn(200) - 100))
			}
			switch {
			case rng.Intn(6) == 0:
				b.Field(3).AppendNull()
			case rng.Intn(3) == 0:
				b.Field(3).(*array.Float64Builder).Append(floats[rng.Intn(len(floats))])
			default:
				b.Field(3).(*array.Float64Builder).Append(float64(rng.Intn(80)-40) / 4)
			}
			if rng.Intn(8) == 0 {
				b.Field(4).AppendNull()
			} else {
				us := rng.Int63n(4e15) - 2e15
				if rng.Intn(2) == 0 {
					us -= us % 1e6
				}
				b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(us))
			}
			b.Field(5).(*array.Int64Builder).Append(id)
			id++
		}
		recs = append(recs, b.NewRecord())
		b.Release()
	}
	return frame.FromRecords(recs...)
}

// semCell is the canonical text of a cell, the same in the node script:
// null, integers in decimal, floats as 12 significant digits (NaN, Inf,
// -Inf; -0 as 0), strings as they are.
func semCell(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		switch {
		case math.IsNaN(x):
			return "NaN"
		case math.IsInf(x, 1):
			return "Inf"
		case math.IsInf(x, -1):
			return "-Inf"
		case x == 0:
			return "0"
		}
		s := strconv.FormatFloat(x, 'e', 11, 64)
		m, e, _ := strings.Cut(s, "e")
		ev, _ := strconv.Atoi(e)
		return m + "e" + strconv.Itoa(ev)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return strconv.FormatInt(x.UnixMicro(), 10)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func semRows(t *frame.Table) [][]string {
	out := make([][]string, t.NumRows())
	for r := range out {
		for _, c := range t.Columns() {
			out[r] = append(out[r], semCell(t.Value(r, c)))
		}
	}
	return out
}

// semQueries computes every query on t with frame.
func semQueries(ctx context.Context, t *frame.Frame, opts []sched.Option) ([]semQuery, error) {
	C, L := frame.Col, frame.Lit
	type q struct {
		name, sql string
		f         *frame.Frame
		ordered   bool
		doc       string
	}
	var qs []q
	ops := []struct {
		name string
		e    func(frame.Expr, frame.Expr) frame.Expr
	}{{"=", frame.Expr.Eq}, {"<>", frame.Expr.Ne}, {"<", frame.Expr.Lt}, {"<=", frame.Expr.Le}, {">", frame.Expr.Gt}, {">=", frame.Expr.Ge}}
	for _, op := range ops {
		for _, lit := range []float64{0, 1.5, math.Inf(1), math.NaN()} {
			ls := fmt.Sprintf("'%v'::DOUBLE", lit)
			// IEEE: false when either side is NaN, except <>.
			where := fmt.Sprintf("f %s %s AND NOT isnan(f) AND NOT isnan(%s)", op.name, ls, ls)
			if op.name == "<>" {
				where = fmt.Sprintf("f IS NOT NULL AND (isnan(f) OR isnan(%s) OR f <> %s)", ls, ls)
			}
			qs = append(qs, q{name: fmt.Sprintf("filter f %s %v", op.name, lit),
				sql: fmt.Sprintf("SELECT count(id), %s FROM t WHERE %s", wrapSQL("coalesce(sum(i), 0)"), where),
				f:   t.Filter(op.e(C("f"), L(lit))).Agg(C("id").Count().Alias("n"), C("i").Sum().Alias("s"))})
		}
	}
	aggs := []frame.Expr{C("i").Sum().Alias("isum"), C("i").Mean().Alias("imean"), C("f").Count().Alias("fcnt"), C("f").Sum().Alias("fsum"),
		C("f").Min().Alias("mn"), C("f").Max().Alias("mx"), C("f").Median().Alias("md"), C("f").NUnique().Alias("nu"), C("i").Std().Alias("sd")}
	aggSQL := wrapSQL("sum(i)") + ", avg(i), count(f), sum(f), min(f) FILTER (WHERE NOT isnan(f)), max(f) FILTER (WHERE NOT isnan(f)), " +
		"quantile_cont(f, 0.5) FILTER (WHERE NOT isnan(f)), count(DISTINCT f), stddev_samp(i)"
	for _, k := range []string{"k", "s"} {
		qs = append(qs, q{name: "groupby " + k, sql: fmt.Sprintf("SELECT %s, %s FROM t GROUP BY %s", k, aggSQL, k), f: t.GroupBy(k).Agg(aggs...)},
			q{name: "groupby " + k + " dropna", sql: fmt.Sprintf("SELECT %s, %s FROM t WHERE %s IS NOT NULL GROUP BY %s", k, aggSQL, k, k), f: t.GroupBy(k).DropNA().Agg(aggs...)})
	}
	qs = append(qs,
		q{name: "groupby k, s", sql: "SELECT k, s, count(*), " + wrapSQL("sum(i)") + " FROM t GROUP BY k, s",
			f: t.GroupBy("k", "s").Agg(C("id").Size().Alias("n"), C("i").Sum().Alias("isum"))},
		q{name: "frame aggregates", sql: "SELECT " + aggSQL + " FROM t", f: t.Agg(aggs...)},
		q{name: "sort f asc", ordered: true, sql: "SELECT f, id FROM t ORDER BY (f IS NULL OR isnan(f)), CASE WHEN NOT isnan(f) THEN f END ASC, id",
			f: t.SortValues(false, "f").SelectCols("f", "id")},
		q{name: "sort f desc", ordered: true, sql: "SELECT f, id FROM t ORDER BY (f IS NULL OR isnan(f)), CASE WHEN NOT isnan(f) THEN f END DESC, id",
			f: t.SortValues(true, "f").SelectCols("f", "id")},
		q{name: "sort s, k desc", ordered: true, sql: "SELECT s, k, id FROM t ORDER BY s ASC NULLS LAST, k DESC NULLS LAST, id",
			f: t.SortBy(frame.Asc("s"), frame.Desc("k")).SelectCols("s", "k", "id")},
		q{name: "nlargest 7 f", ordered: true, sql: "SELECT f, id FROM t WHERE NOT isnan(f) ORDER BY f DESC, id LIMIT 7", f: t.NLargest(7, "f").SelectCols("f", "id")},
		q{name: "nsmallest 7 f", ordered: true, sql: "SELECT f, id FROM t WHERE NOT isnan(f) ORDER BY f ASC, id LIMIT 7", f: t.NSmallest(7, "f").SelectCols("f", "id")},
		q{name: "group nlargest 2 f by k", sql: "SELECT k, f, id FROM (SELECT k, f, id, row_number() OVER (PARTITION BY k ORDER BY f DESC, id) AS o FROM t WHERE NOT isnan(f)) WHERE o <= 2",
			f: t.GroupBy("k").NLargest(2, "f").SelectCols("k", "f", "id")},
		q{name: "self join on f", sql: "SELECT count(*) FROM t a JOIN t b ON a.f = b.f AND NOT isnan(a.f)",
			f: t.SelectCols("f", "id").Merge(t.SelectCols("f", "id").Rename(map[string]string{"id": "rid"}), frame.MergeOptions{On: []string{"f"}}).Agg(C("id").Size().Alias("n"))},
		q{name: "join on k, s", sql: "SELECT count(*), " + wrapSQL("sum(a.id + b.id)") + " FROM t a JOIN t b USING (k, s)",
			f: t.SelectCols("k", "s", "id").Merge(t.SelectCols("k", "s", "id").Rename(map[string]string{"id": "rid"}), frame.MergeOptions{On: []string{"k", "s"}}).
				Agg(C("id").Size().Alias("n"), C("id").Add(C("rid")).Sum().Alias("sum"))},
		q{name: "left join on k", sql: "SELECT count(*), count(b.rid) FROM t a LEFT JOIN (SELECT k, id AS rid FROM t WHERE id < 50) b USING (k)",
			f: t.SelectCols("k", "id").Merge(t.Filter(C("id").Lt(L(50))).SelectCols("k", "id").Rename(map[string]string{"id": "rid"}), frame.MergeOptions{On: []string{"k"}, How: frame.Left}).
				Agg(C("id").Size().Alias("n"), C("rid").Count().Alias("m"))},
		q{name: "isin f", sql: "SELECT count(*) FROM t WHERE f IN (1.5, -2.25)", f: t.Filter(C("f").IsIn(1.5, -2.25, math.NaN())).Agg(C("id").Size().Alias("n"))},
		q{name: "distinct s", sql: "SELECT count(*) FROM (SELECT DISTINCT s FROM t)", f: t.Unique("s").Agg(C("s").Size().Alias("n"))},
		q{name: "distinct k, f", sql: "SELECT count(*) FROM (SELECT DISTINCT k, CASE WHEN f = 0 THEN 0 ELSE f END FROM t)",
			f: t.DropDuplicates("k", "f").Agg(C("k").Size().Alias("n"))},
		q{name: "nunique", sql: "SELECT count(DISTINCT k), count(DISTINCT s), count(DISTINCT f), count(DISTINCT i) FROM t", f: t.NUnique("k", "s", "f", "i")},
		q{name: "value counts s", sql: "SELECT s, count(*) FROM t GROUP BY s", f: t.ValueCounts("s")},
		q{name: "cast f to int", ordered: true, sql: "SELECT id, CASE WHEN f >= -9223372036854775808 AND f < 9223372036854775808 THEN trunc(f)::BIGINT END FROM t ORDER BY id",
			f: t.Select(C("id"), C("f").Cast(frame.Int64).Alias("c")).SortValues(false, "id")},
		q{name: "cast i to float", ordered: true, sql: "SELECT id, i::DOUBLE FROM t ORDER BY id", f: t.Select(C("id"), C("i").Cast(frame.Float64).Alias("c")).SortValues(false, "id")},
		q{name: "cast f to string", ordered: true, sql: "SELECT id, f::VARCHAR FROM t ORDER BY id", f: t.Select(C("id"), C("f").Cast(frame.String).Alias("c")).SortValues(false, "id")},
		q{name: "int arithmetic", sql: "SELECT " + wrapSQL("sum(i::HUGEINT * 3 - 7)") + " FROM t",
			f: t.Agg(C("i").Mul(L(3)).Sub(L(7)).Sum().Alias("s"))},
		q{name: "float arithmetic", sql: "SELECT sum(f * 2 + 1), count(*) FILTER (WHERE isnan(f / 0.0)) FROM t WHERE NOT isinf(f) AND abs(f) < 1e200",
			f: t.Filter(C("f").Ne(L(math.Inf(1))).And(C("f").Ne(L(math.Inf(-1)))).And(C("f").Lt(L(1e200)))).
				Agg(C("f").Mul(L(2.0)).Add(L(1.0)).Sum().Alias("s"), C("f").Div(L(0.0)).Ne(C("f").Div(L(0.0))).Cast(frame.Int64).Sum().Alias("n"))},
		q{name: "three-valued logic", sql: "SELECT count(*) FROM t WHERE (k > 0 OR (f > 0 AND NOT isnan(f))) AND NOT (s = 'a' AND isnan(f) = false)",
			f: t.Filter(C("k").Gt(L(0)).Or(C("f").Gt(L(0.0))).And(C("s").Eq(L("a")).And(C("f").Eq(C("f"))).Not())).Agg(C("id").Size().Alias("n"))},
		q{name: "fillnull", sql: "SELECT sum(coalesce(k, 100)), count(*) FILTER (WHERE coalesce(f, 0.5) = 0.5) FROM t",
			f: t.Select(C("k").FillNull(L(100)).Alias("k"), C("f").FillNull(L(0.5)).Eq(L(0.5)).Cast(frame.Int64).Alias("f")).Agg(C("k").Sum().Alias("k"), C("f").Sum().Alias("f"))},
		q{name: "string ops", ordered: true, sql: "SELECT id, lower(s), length(s), contains(s, 'a'), starts_with(s, 'st') FROM t ORDER BY id",
			f: t.Select(C("id"), C("s").Lower().Alias("l"), C("s").Len().Alias("n"), C("s").Contains("a").Alias("c"), C("s").StartsWith("st").Alias("p")).SortValues(false, "id")},
		q{name: "upper", ordered: true, sql: "SELECT id, upper(s) FROM t ORDER BY id", f: t.Select(C("id"), C("s").Upper().Alias("u")).SortValues(false, "id"),
			doc: "Upper(\"ß\"): Go's simple case mapping keeps ß, DuckDB gives ẞ"},
		q{name: "timestamp parts", ordered: true, sql: "SELECT id, year(ts), month(ts), day(ts), hour(ts) FROM t ORDER BY id",
			f: t.Select(C("id"), C("ts").Year().Alias("y"), C("ts").Month().Alias("m"), C("ts").Day().Alias("d"), C("ts").Hour().Alias("h")).SortValues(false, "id")},
		q{name: "timestamp min/max by k", sql: "SELECT k, epoch_us(min(ts)), epoch_us(max(ts)) FROM t GROUP BY k",
			f: t.GroupBy("k").Agg(C("ts").Min().Alias("a"), C("ts").Max().Alias("b"))},
		q{name: "timestamp to string", ordered: true, sql: "SELECT id, ts::TIMESTAMP::VARCHAR FROM t ORDER BY id", f: t.Select(C("id"), C("ts").Cast(frame.String).Alias("c")).SortValues(false, "id"),
			doc: "timestamps print six fractional digits (pandas); DuckDB trims trailing zeros"},
		q{name: "len", sql: "SELECT count(*) FROM t", f: t.Agg(C("id").Size().Alias("n"))},
	)
	var out []semQuery
	for _, x := range qs {
		tab, err := x.f.Compute(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", x.name, err)
		}
		rows := semRows(tab)
		if !x.ordered {
			sort.Slice(rows, func(a, b int) bool { return strings.Join(rows[a], "\x00") < strings.Join(rows[b], "\x00") })
		}
		out = append(out, semQuery{Name: x.name, SQL: x.sql, Ordered: x.ordered, Doc: x.doc, Rows: rows})
	}
	// What DuckDB reads godask's Parquet columns as.
	out = append(out, semQuery{Name: "parquet types", SQL: "SELECT column_name, column_type FROM (DESCRIBE t)",
		Rows: [][]string{{"f", "DOUBLE"}, {"i", "BIGINT"}, {"id", "BIGINT"}, {"k", "BIGINT"}, {"s", "VARCHAR"}, {"ts", "TIMESTAMP WITH TIME ZONE"}}})
	return out, nil
}
