// Empty: lets nozero.go declare a function without a body (mallocgc,
// provided by the runtime through linkname).
