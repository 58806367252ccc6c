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
