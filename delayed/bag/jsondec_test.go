package bag

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

type decRec struct {
	S   string  `json:"s"`
	I   int64   `json:"i"`
	I8  int8    `json:"i8"`
	I32 int32   `json:"i32"`
	U   uint64  `json:"u"`
	U16 uint16  `json:"u16"`
	F   float64 `json:"f"`
	F32 float32 `json:"f32"`
	B   bool    `json:"b"`
	Raw []int   `json:"raw"`
	Low string
}

// randNumber is a JSON number, or something close to one: integers and
// decimals of up to 25 digits, exponents, -0, extremes, leading zeros.
func randNumber(r *rand.Rand) string {
	digits := func(n int) string {
		var sb strings.Builder
		for k := 0; k < n; k++ {
			sb.WriteByte(byte('0' + r.Intn(10)))
		}
		return sb.String()
	}
	switch r.Intn(12) {
	case 0:
		return fmt.Sprint(r.Int63() - r.Int63())
	case 1:
		return []string{"-0", "0", "-0.0", "0.000", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
			"18446744073709551615", "18446744073709551616", "127", "128", "-128", "-129", "255", "256", "65535", "65536",
			"2147483647", "2147483648", "1e2", "1E-2", "1.5e+3", "-", "1.", ".5", "01", "00", "-01", "1.2.3", "1-2",
			"9007199254740993", "9007199254740992.5", "0.1", "1e400", "4.9e-324", "1e22", "1e23"}[r.Intn(37)]
	case 2:
		return digits(1+r.Intn(25)) + "." + digits(1+r.Intn(25))
	case 3:
		return "-" + fmt.Sprint(r.Intn(1000)) + "." + digits(1+r.Intn(6))
	default:
		return fmt.Sprintf("%d.%0*d", r.Intn(100000), 1+r.Intn(5), r.Intn(10000))
	}
}

func randValue(r *rand.Rand) string {
	switch r.Intn(14) {
	case 0:
		return "null"
	case 1:
		return []string{"true", "false", "tru", "nul"}[r.Intn(4)]
	case 2:
		return []string{`"a\"b"`, `"M\u00fcnchen"`, `"日本"`, `"tab\tin"`, `""`, `"\xff"`, `"x\\"`, `"unterminated`}[r.Intn(8)]
	case 3:
		return `[1,2,{"a":"]"}]`
	case 4:
		return fmt.Sprintf("%q", strings.Repeat("s", r.Intn(100)))
	case 5:
		return `"AAPL"`
	default:
		return randNumber(r)
	}
}

// TestJSONDecoderMatchesEncodingJSON decodes random objects (keys in any
// order, in other cases, unknown or repeated, values of every kind into
// fields of every kind, numbers of every form) with the planned decoder and
// with encoding/json: both fail, or both give the same struct.
func TestJSONDecoderMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	keys := []string{"s", "i", "i8", "i32", "u", "u16", "f", "f32", "b", "raw", "Low", "low", "S", "F", "other", "ı"}
	d := newJSONDecoder[decRec]()
	okCount := 0
	defer func() { t.Logf("%d of 20000 decoded", okCount) }()
	for it := 0; it < 20000; it++ {
		var sb strings.Builder
		sb.WriteString([]string{"{", " { ", "{\t"}[r.Intn(3)])
		n := r.Intn(5)
		if it%3 == 0 {
			// The same keys in the same order, as in a file of records.
			n = 6
		}
		for k := 0; k < n; k++ {
			if k > 0 {
				sb.WriteString([]string{",", " , ", ",\n"}[r.Intn(3)])
			}
			key := keys[r.Intn(len(keys))]
			if it%3 == 0 {
				key = keys[k]
			}
			v := randValue(r)
			if r.Intn(10) < 8 {
				v = typedValue(r, key)
			}
			fmt.Fprintf(&sb, "%q:%s%s", key, []string{"", " "}[r.Intn(2)], v)
		}
		sb.WriteString([]string{"}", " }", "} x", ""}[r.Intn(4)*min(1, r.Intn(30))])
		line := sb.String()
		var got, want decRec
		gerr := d.decode([]byte(line), &got)
		werr := json.Unmarshal([]byte(line), &want)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%s\n planned: %v\n encoding/json: %v", line, gerr, werr)
		}
		if gerr == nil {
			okCount++
		}
		if gerr == nil && !reflect.DeepEqual(got, want) && !(math.IsNaN(got.F) && math.IsNaN(want.F)) {
			t.Fatalf("%s\n planned: %+v\n encoding/json: %+v", line, got, want)
		}
	}
}

// typedValue is a value of the kind the field key names (mostly valid).
func typedValue(r *rand.Rand, key string) string {
	switch strings.ToLower(key) {
	case "s", "low":
		return []string{`"AAPL"`, `"S0042"`, `""`, `"M\u00fcnchen"`, `"日本"`, `"a\"b"`, fmt.Sprintf("%q", strings.Repeat("s", r.Intn(80)))}[r.Intn(7)]
	case "i", "i8", "i32", "u", "u16":
		if r.Intn(3) == 0 {
			return randNumber(r)
		}
		return fmt.Sprint(r.Intn(300) - r.Intn(150))
	case "f", "f32":
		return randNumber(r)
	case "b":
		return []string{"true", "false"}[r.Intn(2)]
	case "raw":
		return `[1, 2,3]`
	}
	return randValue(r)
}
