package frame

// ErrorFrame returns a frame that carries err: every operation on it
// returns it, and Compute and Err report err. Packages that build frames
// (ml's encoders) use it to report a bad input lazily, as frame's own
// methods do.
func ErrorFrame(err error) *Frame { return errFrame(err) }
