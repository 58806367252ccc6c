//go:build race || asan || msan

package bag

// overRead is off in the race and sanitizer builds: see overread.go.
const overRead = false
