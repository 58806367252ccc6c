package ml

import (
	"math"
	"strings"
	"testing"
)

// checkFinite's fast sum against each kind of bad value, and huge finite
// values whose squares overflow (not an error).
func TestCheckFinite(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{1e200, ""}, {-1e300, ""}, {math.NaN(), "NaN at row 5"}, {math.Inf(1), "+Inf at row 5"}, {math.Inf(-1), "-Inf at row 5"}} {
		d := make([]float64, 21)
		d[15] = c.v
		err := checkFinite(dense2(d, 7, 3), dense1(make([]float64, 7)))
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "column 0")) {
			t.Errorf("%v: %v, want %q", c.v, err, c.want)
		}
	}
	y := dense1([]float64{0, 1, math.NaN()})
	if err := checkFinite(dense2(make([]float64, 3), 3, 1), y); err == nil || !strings.Contains(err.Error(), "y holds NaN at row 2") {
		t.Errorf("NaN label: %v", err)
	}
}
