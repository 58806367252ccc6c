//go:build race

package cluster_test

// raceEnabled shrinks the big-value tests under the race detector, whose
// instrumented copies are slow.
const raceEnabled = true
