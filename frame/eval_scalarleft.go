package frame

// arithScalarLeft is out[i] = c op ys[i] for a literal on the left of a
// float column (TPC-H's 1 - l_discount), without broadcasting the literal
// into a column first.
func arithScalarLeft(op string, c float64, ys, out []float64) {
	switch op {
	case "+":
		for i, y := range ys[:len(out)] {
			out[i] = c + y
		}
	case "-":
		for i, y := range ys[:len(out)] {
			out[i] = c - y
		}
	case "*":
		for i, y := range ys[:len(out)] {
			out[i] = c * y
		}
	case "/":
		for i, y := range ys[:len(out)] {
			out[i] = c / y
		}
	}
}
