package frame

import (
	"math/rand"
	"strconv"
	"testing"
)

func BenchmarkSumIntoFewGroups(b *testing.B) {
	const n = 122880
	for _, ng := range []int{1, 4, 16, 64} {
		rng := rand.New(rand.NewSource(1))
		gids := make([]int32, n)
		vs := make([]float64, n)
		for i := range gids {
			gids[i] = int32(rng.Intn(ng))
			vs[i] = rng.Float64()
		}
		if ng == 1 {
			ng = 4 // long runs of one group
			for i := range gids {
				gids[i] = int32(i * 4 / n)
			}
		}
		c := col{k: kFloat, n: n, f64: vs}
		b.Run("ng="+strconv.Itoa(ng), func(b *testing.B) {
			b.SetBytes(n * 8)
			for i := 0; i < b.N; i++ {
				sumF(&c, gids, ng)
			}
		})
	}
}
