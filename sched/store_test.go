package sched

import (
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestStoreRandomAgainstMap drives a small-limit store with random puts,
// reads and frees and checks every read against a plain map; values spill
// and come back equal, and the accounting returns to zero.
func TestStoreRandomAgainstMap(t *testing.T) {
	dir := t.TempDir()
	s := NewStore[int](64<<10, dir)
	ref := map[int][]float64{}
	rng := rand.New(rand.NewSource(3))
	for step := 0; step < 1000; step++ {
		k := rng.Intn(40)
		switch rng.Intn(4) {
		case 0, 1:
			v := make([]float64, rng.Intn(2000))
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			s.Put(k, v, -1)
			ref[k] = v
		case 2:
			v, err := s.Get(k)
			want, ok := ref[k]
			if !ok {
				if err == nil {
					t.Fatalf("step %d: get of absent %d gave no error", step, k)
				}
				continue
			}
			if err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if !reflect.DeepEqual(v, want) && !(len(want) == 0 && len(v.([]float64)) == 0) {
				t.Fatalf("step %d: value %d differs after spill", step, k)
			}
			s.Unpin(k)
		case 3:
			s.Free(k)
			delete(ref, k)
		}
		if st := s.Stats(); st.Held > 64<<10*6/10+2000*8 && st.Err == nil {
			t.Fatalf("step %d: %d bytes held over a 64 KiB limit", step, st.Held)
		}
	}
	st := s.Stats()
	if st.Spills == 0 || st.Loads == 0 || st.Err != nil {
		t.Fatalf("stats %+v: want spills and loads", st)
	}
	s.FreeIf(func(int) bool { return true })
	if st := s.Stats(); st.Held != 0 || st.Spilled != 0 || st.Files != 0 {
		t.Fatalf("after freeing all: %+v", st)
	}
	s.Close()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("spill directory left after Close: %v", ents)
	}
}

type noCodecValue struct{ ch chan int }

func TestStoreCountedCopiesNoCodecAndCorruption(t *testing.T) {
	dir := t.TempDir()
	s := NewStore[string](1<<10, dir)
	// A counted copy with two readers lives until both are done and no
	// read is under way.
	s.Put("copy", []int64{1, 2, 3}, 2)
	if !s.AddReader("copy") {
		t.Fatal("AddReader of a held copy")
	}
	s.Done("copy")
	s.Done("copy")
	v, err := s.Get("copy")
	if err != nil || !reflect.DeepEqual(v, []int64{1, 2, 3}) {
		t.Fatalf("get copy: %v %v", v, err)
	}
	s.Done("copy")
	if !s.Has("copy") {
		t.Fatal("copy dropped while a read was under way")
	}
	s.Unpin("copy")
	if s.Has("copy") {
		t.Fatal("copy with no reader left is still held")
	}
	// A value without a codec stays in memory and counts.
	s.Put("opaque", noCodecValue{make(chan int)}, -1)
	s.Put("big", make([]float64, 1000), -1) // over the limit: "opaque" cannot go, "big" is newest
	s.Put("big2", make([]float64, 1000), -1)
	if !s.Has("opaque") {
		t.Fatal("opaque value lost")
	}
	if v, err := s.Get("opaque"); err != nil || v.(noCodecValue).ch == nil {
		t.Fatalf("opaque: %v", err)
	}
	s.Unpin("opaque")
	// A corrupted spill file is an error naming the value, not a wrong value.
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.spill"))
	if len(files) == 0 {
		t.Fatalf("nothing spilled: %+v", s.Stats())
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		b[len(b)-1] ^= 0xff
		os.WriteFile(f, b, 0o600)
	}
	_, err1 := s.Get("big")
	if err1 == nil || !strings.Contains(err1.Error(), "big") || !strings.Contains(err1.Error(), "corrupted") {
		t.Fatalf("corrupted spill file: %v", err1)
	}
	if s.OverPause() != (s.Stats().Held > s.pause) {
		t.Fatal("OverPause disagrees with the held bytes")
	}
	s.Close()
}
