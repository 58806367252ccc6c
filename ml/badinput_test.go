package ml

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/godask/godask/array"
)

func wantErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one containing %q", what, parts)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not contain %q", what, err, p)
		}
	}
}

func TestBadInputErrors(t *testing.T) {
	X, _ := matrix(t, "bin_X", 47)
	y, _ := vector(t, "bin_y", 47)
	_, err := LogisticRegression{Solver: "sag"}.Fit(ctx, X, y)
	wantErr(t, "unknown solver", err, "LogisticRegression", `unknown solver "sag"`)
	_, err = LogisticRegression{Penalty: "l3"}.Fit(ctx, X, y)
	wantErr(t, "unknown penalty", err, "LogisticRegression", `unknown penalty "l3"`)
	_, err = LogisticRegression{Penalty: "l1", Solver: "lbfgs"}.Fit(ctx, X, y)
	wantErr(t, "l1 with lbfgs", err, "does not support penalty l1")
	_, err = LogisticRegression{}.Fit(ctx, X, y.Index(":299"))
	wantErr(t, "short y", err, "LogisticRegression", "y has 299 rows, X has 300")
	_, err = LogisticRegression{}.Fit(ctx, X, y.Rechunk(array.Regular{100}))
	wantErr(t, "y chunks", err, "LogisticRegression", "row chunks")
	_, err = LogisticRegression{}.Fit(ctx, X, array.Ones([]int{300}, array.Regular{47}))
	wantErr(t, "single class", err, "LogisticRegression", "single class")
	_, err = LogisticRegression{}.Fit(ctx, X.Index(":, 0"), y)
	wantErr(t, "1-D X", err, "LogisticRegression", "want a 2-D array")
	_, err = LinearRegression{}.Fit(ctx, X.AsType(array.Float32), y)
	wantErr(t, "float32 X", err, "LinearRegression", "want float64")
	nanX := X.Mul(array.Where(X.Index(":, 0:1").Gt(array.Scalar(2.5)), array.Scalar(math.NaN()), array.Scalar(1)))
	for name, e := range map[string]Estimator{"LogisticRegression": LogisticRegression{}, "StandardScaler": StandardScaler{},
		"LinearRegression": LinearRegression{}, "RandomForestClassifier": RandomForestClassifier{NEstimators: 2}} {
		_, err := e.FitModel(ctx, nanX, y)
		wantErr(t, name+" NaN", err, name, "NaN")
	}
	for name, a := range map[string]*array.Array{
		"LogisticModel": (*LogisticModel)(nil).Predict(X), "LinearModel": (*LinearModel)(nil).Predict(X),
		"KMeans": (*KMeansModel)(nil).Predict(X), "PCA": (*PCAModel)(nil).Transform(X),
		"StandardScaler": (*StandardScalerModel)(nil).Transform(X), "SGDModel": (*SGDModel)(nil).Predict(X),
		"ForestModel": (*ForestModel)(nil).Predict(X), "Pipeline": (*PipelineModel)(nil).Predict(X),
		"ParallelPostFit": ParallelPostFit{}.Predict(X),
	} {
		wantErr(t, name+" Predict before Fit", a.Err(), "before Fit")
	}
	// a model of the wrong width is refused by its tasks
	m, err := LogisticRegression{}.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Predict(X.Index(":, :3")).Compute(ctx)
	wantErr(t, "narrow X", err, "fitted on 5 features")
}

func TestSaveLoad(t *testing.T) {
	X, _ := matrix(t, "bin_X", 47)
	y, _ := vector(t, "bin_y", 47)
	var models []Model
	lr, _ := LogisticRegression{}.Fit(ctx, X, y)
	Xr, _ := matrix(t, "reg_X", 33)
	yr, _ := vector(t, "reg_y", 33)
	li, err := LinearRegression{}.Fit(ctx, Xr, yr)
	if err != nil {
		t.Fatal(err)
	}
	// collinear features (bin_X has 2 redundant columns) are a clear error
	_, err = LinearRegression{}.Fit(ctx, X, y)
	wantErr(t, "collinear", err, "LinearRegression", "rank-deficient")
	km, _ := KMeans{NClusters: 3}.Fit(ctx, X, nil)
	pc, _ := PCA{NComponents: 2}.Fit(ctx, X, nil)
	sc, _ := StandardScaler{}.Fit(ctx, X, nil)
	fo, _ := RandomForestClassifier{NEstimators: 3, MaxDepth: 3}.Fit(ctx, X, y)
	sg, _ := SGDClassifier{Loss: "log_loss"}.Fit(ctx, X, y)
	models = append(models, lr, li, km, pc, sc, fo, sg)
	for _, m := range models {
		b, err := Save(m)
		if err != nil {
			t.Fatalf("%s: %v", m.ModelName(), err)
		}
		back, err := Load(b)
		if err != nil {
			t.Fatalf("%s: %v", m.ModelName(), err)
		}
		b2, _ := Save(back)
		if string(b) != string(b2) {
			t.Errorf("%s: Save(Load(Save(m))) differs", m.ModelName())
		}
		if p, ok := m.(Predictor); ok {
			in := X
			if m == Model(li) {
				in = Xr
			}
			a, b := denseOf(t, p.Predict(in)), denseOf(t, back.(Predictor).Predict(in))
			close(t, m.ModelName()+" predictions", b.Data, a.Data, 0)
		}
		// another format version is refused, naming both
		old := append([]byte(nil), b...)
		binary.LittleEndian.PutUint16(old[8:], FormatVersion+1)
		_, err = Load(old)
		wantErr(t, "version", err, "format version 2", "reads version 1")
	}
	_, err = Load([]byte("not a model"))
	wantErr(t, "garbage", err, "not a godask ml model file")
	_, err = Save(nil)
	wantErr(t, "nil", err, "nil model")
}
