package ml

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	aarray "github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

func encoderFrame(n, parts int) (*frame.Frame, []string, []int64, []float64) {
	rng := rand.New(rand.NewPCG(5, 6))
	cats := []string{"rouge", "vert", "bleu", "日本", "ß", ""}
	s := make([]string, n)
	iv := make([]int64, n)
	fv := make([]float64, n)
	for i := range s {
		s[i] = cats[rng.IntN(len(cats))]
		iv[i] = rng.Int64N(1<<62) - 1<<61
		fv[i] = rng.NormFloat64()
	}
	iv[0], iv[1] = math.MaxInt64, math.MinInt64
	f := frame.FromColumns(parts, frame.Column{Name: "i", Values: iv}, frame.Column{Name: "color", Values: s}, frame.Column{Name: "x", Values: fv})
	return f, s, iv, fv
}

func TestMatrixFromFrame(t *testing.T) {
	f, _, iv, fv := encoderFrame(101, 4)
	X, err := Matrix(ctx, f, "x", "i")
	if err != nil {
		t.Fatal(err)
	}
	if sh := X.Shape(); sh[0] != 101 || sh[1] != 2 || len(X.Chunks()[0]) != 4 {
		t.Fatalf("shape %v chunks %v", sh, X.Chunks())
	}
	d, err := X.Compute(ctx, loop...)
	if err != nil {
		t.Fatal(err)
	}
	for r := range 101 {
		if d.Data[2*r] != fv[r] || d.Data[2*r+1] != float64(iv[r]) {
			t.Fatalf("row %d: %v %v, want %v %v", r, d.Data[2*r], d.Data[2*r+1], fv[r], float64(iv[r]))
		}
	}
	// it fits
	if _, err := (StandardScaler{}).Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	// a string column is an error naming it
	if _, err := Matrix(ctx, f); err == nil || !strings.Contains(err.Error(), `"color"`) {
		t.Fatalf("string column: %v", err)
	}
	if _, err := Matrix(ctx, f, "nope"); err == nil {
		t.Fatal("unknown column: no error")
	}
	// nulls: an error naming column and row, or NaN on request
	b := aarray.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues([]float64{1, 0, 3}, []bool{true, false, true})
	col := b.NewArray()
	rec := aarray.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil), []arrow.Array{col}, 3)
	nf := frame.FromRecords(rec)
	Xn, err := Matrix(ctx, nf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Xn.Compute(ctx); err == nil || !strings.Contains(err.Error(), `column "v" holds a null at row 1`) {
		t.Fatalf("null: %v", err)
	}
	Xn, err = MatrixWith(ctx, nf, MatrixOptions{NullAsNaN: true})
	if err != nil {
		t.Fatal(err)
	}
	m, err := SimpleImputer{Strategy: "median"}.Fit(ctx, Xn, nil)
	if err != nil {
		t.Fatal(err)
	}
	z, err := m.Transform(Xn).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "imputed", z.Data, []float64{1, 2, 3}, 0)
}

func TestEncodersOnFrames(t *testing.T) {
	f, s, iv, _ := encoderFrame(97, 3)
	cats := append([]string(nil), s...)
	sort.Strings(cats)
	uniq := cats[:0]
	for i, c := range cats {
		if i == 0 || c != cats[i-1] {
			uniq = append(uniq, c)
		}
	}
	code := func(v string) int { return sort.SearchStrings(uniq, v) }

	om, err := OrdinalEncoder{}.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(om.Categories) != 1 || strings.Join(om.Categories[0], ",") != strings.Join(uniq, ",") {
		t.Fatalf("categories %v, want %v", om.Categories, uniq)
	}
	of, err := om.Transform(f)
	if err != nil {
		t.Fatal(err)
	}
	X, err := Matrix(ctx, of, "color", "i")
	if err != nil {
		t.Fatal(err)
	}
	d, err := X.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for r := range s {
		if d.Data[2*r] != float64(code(s[r])) || d.Data[2*r+1] != float64(iv[r]) {
			t.Fatalf("ordinal row %d: %v, want %d (%q)", r, d.Data[2*r:2*r+2], code(s[r]), s[r])
		}
	}

	for _, kind := range []string{"onehot", "dummy"} {
		var m *EncoderModel
		if kind == "onehot" {
			m, err = OneHotEncoder{DropFirst: true}.Fit(ctx, f)
		} else {
			m, err = DummyEncoder{}.Fit(ctx, f)
		}
		if err != nil {
			t.Fatal(err)
		}
		tf, err := m.Transform(f)
		if err != nil {
			t.Fatal(err)
		}
		cols := tf.Columns()
		want := m.OutputColumns(0)
		if kind == "dummy" {
			want = append(append([]string{"i"}, want...), "x")
		}
		if strings.Join(cols, "|") != strings.Join(want, "|") {
			t.Fatalf("%s columns %v, want %v", kind, cols, want)
		}
		tab, err := tf.Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for k, c := range uniq {
			if k == 0 && m.DropFirst {
				continue
			}
			v, err := tab.Float64s("color_" + c)
			if err != nil {
				t.Fatal(err)
			}
			for r := range s {
				if want := s[r] == c; (v[r] == 1) != want || (v[r] != 0 && v[r] != 1) {
					t.Fatalf("%s color_%s row %d = %v (value %q)", kind, c, r, v[r], s[r])
				}
			}
		}
	}

	// Categorizer: the frame's categorical dtype with the sorted categories,
	// the same codes as the ordinal encoder, on Loopback too; an unseen
	// value becomes null; the encoders read a categorical column as its
	// strings
	cm, err := Categorizer{Columns: []string{"color"}}.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := cm.Transform(f)
	if err != nil {
		t.Fatal(err)
	}
	if ty := cf.Schema().Field(cf.Schema().FieldIndices("color")[0]).Type; !arrow.TypeEqual(ty, frame.Categorical) {
		t.Fatalf("categorized column is %s", ty)
	}
	if strings.Join(cf.Columns(), "|") != strings.Join(f.Columns(), "|") {
		t.Fatalf("categorizer columns %v, want %v", cf.Columns(), f.Columns())
	}
	for _, opts := range [][]sched.Option{nil, loop} {
		tab, err := cf.Compute(ctx, opts...)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tab.Categories("color")
		if err != nil || strings.Join(got, ",") != strings.Join(uniq, ",") {
			t.Fatalf("categories %v (%v), want %v", got, err, uniq)
		}
		codes, err := tab.Codes("color")
		if err != nil || len(codes) != len(s) {
			t.Fatalf("codes: %d of %d (%v)", len(codes), len(s), err)
		}
		iv2, _ := tab.Int64s("i")
		for r := range s {
			if codes[r] != int32(code(s[r])) || iv2[r] != iv[r] {
				t.Fatalf("categorizer row %d: code %d i %d, want %d (%q) i %d", r, codes[r], iv2[r], code(s[r]), s[r], iv[r])
			}
		}
	}
	ocf, err := om.Transform(cf)
	if err != nil {
		t.Fatal(err)
	}
	Xc, err := Matrix(ctx, ocf, "color", "i")
	if err != nil {
		t.Fatal(err)
	}
	if dc, err := Xc.Compute(ctx); err != nil || !slices.Equal(dc.Data, d.Data) {
		t.Fatalf("ordinal codes of the categorical column differ from the string column's (%v)", err)
	}
	nv := frame.FromColumns(1, frame.Column{Name: "i", Values: []int64{1, 2}}, frame.Column{Name: "color", Values: []string{"violet", s[0]}}, frame.Column{Name: "x", Values: []float64{1, 2}})
	ncf, err := cm.Transform(nv)
	if err != nil {
		t.Fatal(err)
	}
	nt, err := ncf.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if codes, err := nt.Codes("color"); err != nil || codes[0] != -1 || codes[1] != int32(code(s[0])) {
		t.Fatalf("unseen value: codes %v (%v), want [-1 %d]", codes, err, code(s[0]))
	}

	// unseen values: an error naming the value, or the unknown code
	g := frame.FromColumns(1, frame.Column{Name: "i", Values: []int64{1}}, frame.Column{Name: "color", Values: []string{"violet"}}, frame.Column{Name: "x", Values: []float64{1}})
	gf, err := om.Transform(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gf.Compute(ctx); err == nil || !strings.Contains(err.Error(), `"violet"`) {
		t.Fatalf("unseen value: %v", err)
	}
	um, _ := OrdinalEncoder{HandleUnknown: "use_encoded_value", UnknownValue: -1}.Fit(ctx, f)
	uf, err := um.Transform(g)
	if err != nil {
		t.Fatal(err)
	}
	ut, err := uf.Compute(ctx)
	if err != nil || ut.Value(0, "color") != -1.0 {
		t.Fatalf("unknown value code: %v %v", ut, err)
	}
	// bad input
	if _, err := (OrdinalEncoder{Columns: []string{"x"}}).Fit(ctx, f); err == nil || !strings.Contains(err.Error(), "OrdinalEncoder") {
		t.Fatalf("numeric column: %v", err)
	}
	if _, err := (OneHotEncoder{HandleUnknown: "maybe"}).Fit(ctx, f); err == nil {
		t.Fatal("bad HandleUnknown: no error")
	}
	if _, err := (*EncoderModel)(nil).Transform(f); err == nil {
		t.Fatal("Transform before Fit: no error")
	}
	if _, err := om.Transform(f.Drop("color")); err == nil {
		t.Fatal("Transform of a frame without the column: no error")
	}
}
