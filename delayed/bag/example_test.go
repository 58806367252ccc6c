package bag_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/godask/godask/delayed/bag"
)

func ExampleReadText() {
	dir, _ := os.MkdirTemp("", "bag-example-")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("the cat\nthe dog\r\nthe end"), 0o644)
	words := bag.Fields(bag.ReadText(filepath.Join(dir, "*.txt"), bag.TextOptions{}))
	top, _ := bag.Frequencies(words).TopK(2, bag.ByCount[string]).Compute(context.Background())
	fmt.Println(top)
	// Output: [{the 3} {cat 1}]
}

func ExampleFoldBy() {
	type sale struct {
		Shop  string
		Price float64
	}
	sales := bag.FromSlice([]sale{{"a", 1}, {"b", 2}, {"a", 3}, {"c", 4}, {"b", 5}}, 2)
	total := bag.FoldBy(sales, func(s sale) string { return s.Shop },
		func(acc float64, s sale) float64 { return acc + s.Price }, 0,
		func(x, y float64) float64 { return x + y })
	res, _ := total.Compute(context.Background())
	sort.Slice(res, func(i, j int) bool { return res[i].Key < res[j].Key })
	fmt.Println(res)
	// Output: [{a 4} {b 7} {c 4}]
}

func ExampleMap() {
	b := bag.Map(bag.Range(10, 3), func(x int) int { return x * x }).Filter(func(x int) bool { return x%2 == 0 })
	fmt.Println(b)
	xs, _ := b.Compute(context.Background())
	n, _ := b.Count().Compute(context.Background())
	fmt.Println(xs, n)
	// Output:
	// bag.Bag[int]<filter, npartitions=3, tasks=3>
	// [0 4 16 36 64] 5
}

func ExampleBag_Take() {
	xs, _ := bag.Range(1000, 10).Take(context.Background(), 3) // computes the first partition only
	fmt.Println(xs)
	// Output: [0 1 2]
}
