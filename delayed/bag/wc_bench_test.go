package bag_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godask/godask/delayed/bag"
	"github.com/godask/godask/sched"
)

func BenchmarkWordCount(b *testing.B) {
	dir := b.TempDir()
	r := rand.New(rand.NewSource(1))
	z := rand.NewZipf(r, 1.1, 1, 49999)
	var sb strings.Builder
	for sb.Len() < 16<<20 {
		for w := 0; w < 12; w++ {
			fmt.Fprintf(&sb, "w%d ", z.Uint64())
		}
		sb.WriteByte('\n')
	}
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(sb.String()), 0o644)
	b.SetBytes(int64(sb.Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		words := bag.Fields(bag.ReadText(filepath.Join(dir, "a.txt"), bag.TextOptions{BlockSize: 8 << 20}))
		if _, err := bag.Frequencies(words).Compute(context.Background(), sched.WithWorkers(1), sched.WithProgress(nil)); err != nil {
			b.Fatal(err)
		}
	}
}
