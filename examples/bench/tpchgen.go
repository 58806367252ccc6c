package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
)

// genTpchMain parses "gen tpch -sf N -dir DIR" and runs the generator in
// examples/bench/tpchgen, its own Go module (TPC-H's dbgen through
// github.com/pingcap/go-tpc, kept out of godask's go.mod), which writes the
// eight tables as Parquet in the layout of shared/peers/tpch_to_parquet.mjs.
func genTpchMain(args []string) error {
	fs := flag.NewFlagSet("gen tpch", flag.ExitOnError)
	sf := fs.Int("sf", 1, "scale factor (whole number)")
	dir := fs.String("dir", ".", "output directory")
	fs.Parse(args)
	src, err := tpchgenDir()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("gen tpch: %w", err)
	}
	cmd := exec.Command("go", "run", ".", "-sf", strconv.Itoa(*sf), "-dir", abs)
	cmd.Dir = src
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("gen tpch: running the generator in %s: %w", src, err)
	}
	return nil
}

// tpchgenDir finds examples/bench/tpchgen: next to this source file (go
// run), else under the working directory.
func tpchgenDir() (string, error) {
	var tries []string
	if _, file, _, ok := runtime.Caller(0); ok {
		tries = append(tries, filepath.Join(filepath.Dir(file), "tpchgen"))
	}
	tries = append(tries, filepath.Join("examples", "bench", "tpchgen"), "tpchgen")
	for _, d := range tries {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("gen tpch: cannot find the generator module examples/bench/tpchgen (tried %v)", tries)
}
