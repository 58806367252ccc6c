//go:build !race && !asan && !msan

package bag

// overRead allows load8 to read a whole word around a short string when the
// word lies in one page. The race detector's pointer checks (and the
// sanitizers) see a read past an allocation as a fault, so those builds read
// byte by byte (overread_checked.go).
const overRead = true
