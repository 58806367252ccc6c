package bag_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/delayed/bag"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

func double(x int) int                   { return 2 * x }
func isOdd(x int) bool                   { return x%2 != 0 }
func upTo(x int) []int                   { return make([]int, (x%4+4)%4) }
func mod7(x int) int                     { return x % 7 }
func add(a, b int) int                   { return a + b }
func addTo(acc int, x int) int           { return acc + x }
func lessInt(a, b int) bool              { return a < b }
func keyMod7(x int) int                  { return ((x % 7) + 7) % 7 }
func toFloat(x int) float64              { return float64(x) }
func pairValue(p bag.Pair[int, int]) int { return p.Value }

func init() {
	delayed.Register("bagtest.double", double)
	delayed.Register("bagtest.isOdd", isOdd)
	delayed.Register("bagtest.upTo", upTo)
	delayed.Register("bagtest.mod7", mod7)
	delayed.Register("bagtest.add", add)
	delayed.Register("bagtest.addTo", addTo)
	delayed.Register("bagtest.lessInt", lessInt)
	delayed.Register("bagtest.keyMod7", keyMod7)
	delayed.Register("bagtest.bycount", bag.ByCount[int])
}

// configs are the executors every reference test runs on.
func configs() map[string][]sched.Option {
	return map[string][]sched.Option{
		"local":    {sched.WithProgress(nil)},
		"loopback": {sched.WithProgress(nil), sched.WithExecutor(sched.NewLoopback())},
		"tinymem":  {sched.WithProgress(nil), sched.WithMemoryLimit(1 << 12), sched.WithSpillDir(os.TempDir())},
	}
}

// randomBag makes a bag of random ints with some empty partitions, and the
// same elements as a slice.
func randomBag(r *rand.Rand) (*bag.Bag[int], []int) {
	var parts []*bag.Bag[int]
	var all []int
	for p := 0; p < 1+r.Intn(6); p++ {
		n := r.Intn(40)
		if r.Intn(4) == 0 {
			n = 0
		}
		xs := make([]int, n)
		for i := range xs {
			xs[i] = r.Intn(200) - 100
		}
		all = append(all, xs...)
		parts = append(parts, bag.FromSlice(xs, 1+r.Intn(3)))
	}
	return bag.Concat(parts...), all
}

func sortedInts(xs []int) []int {
	out := append([]int(nil), xs...)
	sort.Ints(out)
	return out
}

func TestAgainstSequentialReference(t *testing.T) {
	ctx := context.Background()
	for name, opts := range configs() {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewSource(1))
			for trial := 0; trial < 12; trial++ {
				b, xs := randomBag(r)
				// element-wise
				var wantMap, wantFlat, wantFilt []int
				for _, x := range xs {
					wantMap = append(wantMap, 2*x)
					if x%2 != 0 {
						wantFilt = append(wantFilt, x)
					}
					wantFlat = append(wantFlat, make([]int, (x%4+4)%4)...)
				}
				got, err := bag.Map(b, double).Compute(ctx, opts...)
				check(t, err, fmt.Sprint(got), fmt.Sprint(wantMap), "map")
				got, err = b.Filter(isOdd).Compute(ctx, opts...)
				check(t, err, fmt.Sprint(got), fmt.Sprint(wantFilt), "filter")
				got, err = bag.FlatMap(b, upTo).Compute(ctx, opts...)
				check(t, err, fmt.Sprint(got), fmt.Sprint(wantFlat), "flatmap")
				got, err = b.Repartition(1+r.Intn(9)).Compute(ctx, opts...)
				check(t, err, fmt.Sprint(got), fmt.Sprint(xs), "repartition")
				// reductions
				sum, cnt, mn, mx := 0, int64(len(xs)), math.MaxInt, math.MinInt
				for _, x := range xs {
					sum += x
					mn, mx = min(mn, x), max(mx, x)
				}
				n, err := b.Count().Compute(ctx, opts...)
				check(t, err, fmt.Sprint(n), fmt.Sprint(cnt), "count")
				s, err := bag.Sum(b).Compute(ctx, opts...)
				check(t, err, fmt.Sprint(s), fmt.Sprint(sum), "sum")
				f, err := bag.Fold(bag.Map(b, double), addTo, add, 0).Compute(ctx, opts...)
				check(t, err, fmt.Sprint(f), fmt.Sprint(2*sum), "fold")
				m, err := bag.Min(b).Compute(ctx, opts...)
				if len(xs) == 0 {
					if err == nil {
						t.Errorf("min of an empty bag: no error")
					}
				} else {
					check(t, err, fmt.Sprint(m), fmt.Sprint(mn), "min")
					m, err = bag.Max(b).Compute(ctx, opts...)
					check(t, err, fmt.Sprint(m), fmt.Sprint(mx), "max")
					mean, err := bag.Mean(b).Compute(ctx, opts...)
					wantMean := float64(sum) / float64(len(xs))
					check(t, err, fmt.Sprintf("%.9f", mean), fmt.Sprintf("%.9f", wantMean), "mean")
					ss := 0.0
					for _, x := range xs {
						ss += (float64(x) - wantMean) * (float64(x) - wantMean)
					}
					std, err := bag.Std(b).Compute(ctx, opts...)
					check(t, err, fmt.Sprintf("%.9f", std), fmt.Sprintf("%.9f", math.Sqrt(ss/float64(len(xs)))), "std")
				}
				// by key
				freq := map[int]int64{}
				for _, x := range xs {
					freq[x%7]++
				}
				fr, err := bag.Frequencies(bag.Map(b, mod7)).Compute(ctx, opts...)
				gotFreq := map[int]int64{}
				for _, p := range fr {
					gotFreq[p.Key] = p.Value
				}
				check(t, err, fmt.Sprint(gotFreq), fmt.Sprint(freq), "frequencies")
				d, err := bag.Distinct(bag.Map(b, mod7)).Compute(ctx, opts...)
				var wantD []int
				for k := range freq {
					wantD = append(wantD, k)
				}
				check(t, err, fmt.Sprint(sortedInts(d)), fmt.Sprint(sortedInts(wantD)), "distinct")
				k := r.Intn(6)
				top, err := b.TopK(k, lessInt).Compute(ctx, opts...)
				desc := sortedInts(xs)
				sort.Sort(sort.Reverse(sort.IntSlice(desc)))
				check(t, err, fmt.Sprint(top), fmt.Sprint(desc[:min(k, len(desc))]), "topk")
				sums := map[int]int{}
				groups := map[int][]int{}
				for _, x := range xs {
					sums[keyMod7(x)] += x
					groups[keyMod7(x)] = append(groups[keyMod7(x)], x)
				}
				fb, err := bag.FoldBy(b, keyMod7, addTo, 0, add, bag.SplitOut(1+r.Intn(4))).Compute(ctx, opts...)
				gotSums := map[int]int{}
				for _, p := range fb {
					if _, dup := gotSums[p.Key]; dup {
						t.Errorf("foldby: key %d twice", p.Key)
					}
					gotSums[p.Key] = p.Value
				}
				check(t, err, fmt.Sprint(gotSums), fmt.Sprint(sums), "foldby")
				gb, err := bag.GroupBy(b, keyMod7).Compute(ctx, opts...)
				gotGroups := map[int][]int{}
				for _, p := range gb {
					gotGroups[p.Key] = p.Value
				}
				check(t, err, fmt.Sprint(gotGroups), fmt.Sprint(groups), "groupby")
				// zip and take
				z, err := bag.Zip(b, bag.Map(b, double)).Compute(ctx, opts...)
				if err == nil {
					for i, p := range z {
						if p.Key != xs[i] || p.Value != 2*xs[i] {
							t.Fatalf("zip element %d: %v", i, p)
						}
					}
				}
				check(t, err, fmt.Sprint(len(z)), fmt.Sprint(len(xs)), "zip")
				nt := r.Intn(len(xs) + 5)
				tk, err := b.Take(ctx, nt, opts...)
				check(t, err, fmt.Sprint(tk), fmt.Sprint(xs[:min(nt, len(xs))]), "take")
			}
		})
	}
}

func check(t *testing.T, err error, got, want, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if strings.ReplaceAll(got, "[]", "") != strings.ReplaceAll(want, "[]", "") {
		t.Fatalf("%s: got %s, want %s", what, got, want)
	}
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// refLines splits like ReadText promises: at "\n", dropping one "\r" before
// it; a last line without newline counts.
func refLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

func TestReadTextRangesAndCompression(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(2))
	words := []string{"a", "bb", "ünï", "日本語", "x y", "", "\r", "tab\there"}
	for trial := 0; trial < 20; trial++ {
		dir := t.TempDir()
		var want []string
		for f := 0; f < 1+r.Intn(3); f++ {
			var sb strings.Builder
			for l := 0; l < r.Intn(30); l++ {
				sb.WriteString(words[r.Intn(len(words))])
				sb.WriteString(words[r.Intn(len(words))])
				if r.Intn(3) == 0 {
					sb.WriteString("\r\n")
				} else {
					sb.WriteString("\n")
				}
			}
			s := sb.String()
			if r.Intn(2) == 0 {
				s = strings.TrimSuffix(s, "\n") // no trailing newline
			}
			writeFile(t, dir, fmt.Sprintf("f%d.txt", f), []byte(s))
			want = append(want, refLines(s)...)
		}
		for _, bs := range []int64{1, 2, 3, 7, 64, -1} {
			b := bag.ReadText(filepath.Join(dir, "*.txt"), bag.TextOptions{BlockSize: bs})
			got, err := b.Compute(ctx, sched.WithProgress(nil))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(nonNil(got), nonNil(want)) {
				t.Fatalf("block size %d: got %q, want %q", bs, got, want)
			}
		}
	}
	// gzip and zstd: one partition each.
	dir := t.TempDir()
	text := "one\ntwo\r\nthree"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	writeFile(t, dir, "a.txt.gz", gz.Bytes())
	enc, _ := zstd.NewWriter(nil)
	writeFile(t, dir, "b.txt.zst", enc.EncodeAll([]byte(text), nil))
	b := bag.ReadText(filepath.Join(dir, "*"), bag.TextOptions{BlockSize: 2})
	if b.NPartitions() != 2 {
		t.Fatalf("compressed files: %d partitions, want 2", b.NPartitions())
	}
	got, err := b.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"one", "two", "three", "one", "two", "three"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("compressed: got %q", got)
	}
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func TestWordCount(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := rand.New(rand.NewSource(3))
	want := map[string]int64{}
	for f := 0; f < 3; f++ {
		var sb strings.Builder
		for l := 0; l < 200; l++ {
			for w := 0; w < r.Intn(8); w++ {
				word := fmt.Sprintf("w%d", int(math.Exp(r.Float64()*5)))
				if r.Intn(50) == 0 {
					word = "ünicode\u00a0space" // a non-ASCII space splits too
				}
				sb.WriteString(word)
				sb.WriteString([]string{" ", "\t", "  "}[r.Intn(3)])
			}
			sb.WriteString("\n")
		}
		for _, w := range strings.Fields(sb.String()) {
			want[w]++
		}
		writeFile(t, dir, fmt.Sprintf("t%d.txt", f), []byte(sb.String()))
	}
	words := bag.Fields(bag.ReadText(filepath.Join(dir, "*.txt"), bag.TextOptions{BlockSize: 500}))
	fr, err := bag.Frequencies(words).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, p := range fr {
		got[p.Key] = p.Value
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("word counts differ: got %d words, want %d", len(got), len(want))
	}
	top, err := bag.Frequencies(words).TopK(3, bag.ByCount[string]).Compute(ctx, sched.WithMemoryLimit(1<<10))
	if err != nil {
		t.Fatal(err)
	}
	var ref []bag.Pair[string, int64]
	for k, v := range want {
		ref = append(ref, bag.Pair[string, int64]{Key: k, Value: v})
	}
	sort.Slice(ref, func(i, j int) bool { return bag.ByCount(ref[j], ref[i]) })
	if !reflect.DeepEqual(top, ref[:3]) {
		t.Fatalf("top 3: got %v, want %v", top, ref[:3])
	}
}

type trade struct {
	Symbol string  `json:"symbol"`
	TS     int64   `json:"ts"`
	Close  float64 `json:"close"`
	Volume int32   `json:"volume"`
	Tags   []string
	Note   *string `json:"note"`
}

func TestReadJSON(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lines := []string{
		`{"symbol": "AAPL", "ts": 1, "close": 1.5, "volume": 10, "Tags": ["a"], "note": "hi"}`,
		`  {"SYMBOL":"M\u00fcnchen","ts":2,"close":-2e3,"volume":-5,"extra":{"x":[1,"}"]}}`,
		``,
		`{"symbol": "Z", "ts": 3, "close": null, "volume": 7}`,
	}
	p := writeFile(t, dir, "a.jsonl", []byte(strings.Join(lines, "\r\n")))
	b := bag.ReadJSON[trade](p, bag.JSONOptions{TextOptions: bag.TextOptions{BlockSize: 17}})
	got, err := b.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatal(err)
	}
	hi := "hi"
	want := []trade{{"AAPL", 1, 1.5, 10, []string{"a"}, &hi}, {"München", 2, -2000, -5, nil, nil}, {"Z", 3, 0, 7, nil, nil}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	// A malformed line names the file and the line.
	bad := writeFile(t, dir, "b.jsonl", []byte(lines[0]+"\n"+lines[3]+"\n{\"symbol\": \"X\", \"ts\": 1.5}\n"+lines[0]+"\n"))
	_, err = bag.ReadJSON[trade](bad, bag.JSONOptions{TextOptions: bag.TextOptions{BlockSize: 50}}).Compute(ctx)
	if err == nil || !strings.Contains(err.Error(), "b.jsonl line 3") {
		t.Fatalf("malformed line: %v", err)
	}
	var skipped atomic.Int64
	ok, err := bag.ReadJSON[trade](bad, bag.JSONOptions{SkipBad: true, Skipped: &skipped}).Count().Compute(ctx)
	if err != nil || ok != 3 || skipped.Load() != 1 {
		t.Fatalf("skip bad lines: %d kept, %d skipped, %v", ok, skipped.Load(), err)
	}
}

func panicky(x int) int {
	if x == 3 {
		panic("three")
	}
	return x
}

type withChan struct{ C chan int }

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	if err := bag.ReadText("/nonexistent/*.txt", bag.TextOptions{}).Err(); err == nil || !strings.Contains(err.Error(), "no files match") {
		t.Errorf("glob matching nothing: %v", err)
	}
	_, err := bag.Map(bag.Range(10, 3), panicky).Compute(ctx)
	var pe *sched.PanicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "three") {
		t.Errorf("panicking function: %v", err)
	}
	z := bag.Zip(bag.Range(10, 3), bag.Range(10, 4))
	if z.Err() == nil || !strings.Contains(z.Err().Error(), "3 and 4 partitions") {
		t.Errorf("zip of unequal partitionings: %v", z.Err())
	}
	if _, err := z.Compute(ctx); err == nil {
		t.Errorf("zip error not sticky")
	}
	_, err = bag.Zip(bag.Range(10, 2), bag.Range(9, 2)).Compute(ctx)
	if err == nil || !strings.Contains(err.Error(), "partition 0 has 5 elements") {
		t.Errorf("zip of unequal lengths: %v", err)
	}
	xs, err := bag.Range(5, 3).Take(ctx, 100)
	if err != nil || len(xs) != 5 {
		t.Errorf("take beyond the length: %v %v", xs, err)
	}
	_, err = bag.ToFrame(ctx, bag.FromSlice([]withChan{{}}, 1))
	if err == nil || !strings.Contains(err.Error(), "C") || !strings.Contains(err.Error(), "chan int") {
		t.Errorf("ToFrame of an unmappable struct: %v", err)
	}
	// An unregistered closure runs locally and is refused by name remotely.
	k := 3
	local := bag.Map(bag.Range(4, 2), func(x int) int { return x * k })
	if got, err := local.Compute(ctx); err != nil || fmt.Sprint(got) != "[0 3 6 9]" {
		t.Errorf("closure locally: %v %v", got, err)
	}
	_, err = local.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if !errors.Is(err, graph.ErrUnregistered) || !strings.Contains(err.Error(), "TestBadInput.func") {
		t.Errorf("closure on loopback: %v", err)
	}
}

func TestWritersAndDelayed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lines := bag.FromSlice([]string{"a", "ü", "", "c d"}, 3)
	paths, err := bag.ToText(ctx, lines, filepath.Join(dir, "out"))
	if err != nil || len(paths) != 3 {
		t.Fatal(paths, err)
	}
	back, err := bag.ReadText(filepath.Join(dir, "out", "*.txt"), bag.TextOptions{}).Compute(ctx)
	if err != nil || fmt.Sprintf("%q", back) != `["a" "ü" "" "c d"]` {
		t.Fatalf("text round trip: %q %v", back, err)
	}
	ts := []trade{{Symbol: "A", TS: 1, Close: 0.1}, {Symbol: "B", TS: 2, Close: 1e300}}
	if _, err := bag.ToJSON(ctx, bag.FromSlice(ts, 2), filepath.Join(dir, "js")); err != nil {
		t.Fatal(err)
	}
	got, err := bag.ReadJSON[trade](filepath.Join(dir, "js", "*.jsonl"), bag.JSONOptions{}).Compute(ctx)
	if err != nil || !reflect.DeepEqual(got, ts) {
		t.Fatalf("json round trip: %+v %v", got, err)
	}
	vs := bag.Range(6, 2).ToDelayed()
	back2 := bag.FromDelayed(vs...)
	s, err := bag.Sum(back2).ToDelayed().Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil || s != 15 {
		t.Fatalf("delayed round trip: %v %v", s, err)
	}
}

func TestRepr(t *testing.T) {
	b := bag.Fields(bag.FromSlice([]string{"a b", "c"}, 2))
	if s := b.String(); s != "bag.Bag[string]<split, npartitions=2, tasks=4>" {
		t.Errorf("repr: %s", s)
	}
	if s := b.Count().String(); s != "bag.Item[int64]<count, tasks=5>" {
		t.Errorf("item repr: %s", s)
	}
}
