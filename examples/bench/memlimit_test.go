package main

import "testing"

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"2GiB": 2 << 30, "2gib": 2 << 30, "2e9": 2e9, "2G": 2e9, "512MiB": 512 << 20, "1.5GiB": 3 << 29,
		"2147483648": 2147483648, "100kB": 1e5, " 3 GiB ": 3 << 30, "0": 0,
	} {
		got, err := parseBytes(in)
		if err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GiB", "-1GiB", "2XB", "two"} {
		if _, err := parseBytes(bad); err == nil {
			t.Errorf("parseBytes(%q) accepted", bad)
		}
	}
}

// TestRuntimeSoftLimit checks the soft limit leaves room for the RSS the
// runtime does not count under small limits and keeps 1.15 L for large ones.
func TestRuntimeSoftLimit(t *testing.T) {
	share := func(n int64) int64 { return int64(float64(n) * 1.15) }
	for _, c := range []struct{ limit, want int64 }{
		{256 << 20, 264 << 20},    // 1.25 L - 56 MiB
		{128 << 20, 128 << 20},    // never below L
		{1 << 30, share(1 << 30)}, // 1.15 L
		{16 << 30, share(16 << 30)},
	} {
		if got := runtimeSoftLimit(c.limit); got != c.want {
			t.Errorf("runtimeSoftLimit(%d MiB) = %d MiB, want %d MiB", c.limit>>20, got>>20, c.want>>20)
		}
		if got := runtimeSoftLimit(c.limit); c.limit >= 256<<20 && float64(got)+nonHeapRSS > rssBound*float64(c.limit)+1 {
			t.Errorf("runtimeSoftLimit(%d MiB) = %d MiB leaves no room for %d MiB outside the heap", c.limit>>20, got>>20, nonHeapRSS>>20)
		}
	}
}
