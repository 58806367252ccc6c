package delayed

import "testing"

// BenchmarkCallBuild times building calls of one and two inputs (the
// cells of the overhead tree), the graph left unbuilt: ns/op is per call.
func BenchmarkCallBuild(b *testing.B) {
	x, y := Call(inc, Lit(1)), Call(inc, Lit(2))
	b.Run("call1", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			Call(inc, Lit(i&1023))
		}
	})
	b.Run("call2", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			Call2(addi, In[int](x), In[int](y))
		}
	})
}
