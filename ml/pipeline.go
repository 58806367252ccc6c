package ml

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// Step is one named stage of a Pipeline.
type Step struct {
	Name      string
	Estimator Estimator
}

// Pipeline chains transformers and a final estimator, as scikit-learn's:
// every step but the last must fit a Transformer; Fit fits each step on the
// (lazy) output of the ones before it. In GridSearchCV, parameters are
// named "step__Field" (scikit-learn's double underscore).
type Pipeline struct {
	Steps []Step
}

// MakePipeline names the steps after their types, lower case, as
// scikit-learn's make_pipeline ("standardscaler", "logisticregression").
func MakePipeline(es ...Estimator) Pipeline {
	var p Pipeline
	for _, e := range es {
		p.Steps = append(p.Steps, Step{Name: lowerTypeName(e), Estimator: e})
	}
	return p
}

// PipelineModel is a fitted Pipeline: the fitted model of every step.
type PipelineModel struct {
	Names  []string
	Models []Model
}

func init() { RegisterModel(&PipelineModel{}) }

// ModelName implements Model.
func (*PipelineModel) ModelName() string { return "PipelineModel" }

// GobEncode encodes the step models with Save (they are of different types).
func (m *PipelineModel) GobEncode() ([]byte, error) {
	var enc [][]byte
	for _, s := range m.Models {
		b, err := Save(s)
		if err != nil {
			return nil, err
		}
		enc = append(enc, b)
	}
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(struct {
		Names  []string
		Models [][]byte
	}{m.Names, enc})
	return buf.Bytes(), err
}

// GobDecode decodes what GobEncode wrote.
func (m *PipelineModel) GobDecode(b []byte) error {
	var v struct {
		Names  []string
		Models [][]byte
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v); err != nil {
		return err
	}
	m.Names, m.Models = v.Names, nil
	for _, e := range v.Models {
		s, err := Load(e)
		if err != nil {
			return err
		}
		m.Models = append(m.Models, s)
	}
	return nil
}

func (p Pipeline) check() error {
	if len(p.Steps) == 0 {
		return errf("Pipeline", "no steps")
	}
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if s.Estimator == nil {
			return errf("Pipeline", "step %q has no estimator", s.Name)
		}
		if seen[s.Name] {
			return errf("Pipeline", "two steps are named %q", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// Fit fits the steps in order on X (transformed lazily by the fitted steps
// before) and y.
func (p Pipeline) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*PipelineModel, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	m := &PipelineModel{}
	cur := X
	for i, s := range p.Steps {
		sm, err := s.Estimator.FitModel(ctx, cur, y, opts...)
		if err != nil {
			return nil, fmt.Errorf("ml: Pipeline step %q: %w", s.Name, err)
		}
		m.Names = append(m.Names, s.Name)
		m.Models = append(m.Models, sm)
		if i < len(p.Steps)-1 {
			t, ok := sm.(Transformer)
			if !ok {
				return nil, errf("Pipeline", "step %q (%s) does not transform: only the last step may be a predictor", s.Name, sm.ModelName())
			}
			cur = t.Transform(cur)
		}
	}
	return m, nil
}

// FitModel implements Estimator.
func (p Pipeline) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return p.Fit(ctx, X, y, opts...)
}

func (m *PipelineModel) ok() bool { return m != nil && len(m.Models) > 0 }

func (m *PipelineModel) prefix(X *array.Array) *array.Array {
	for _, s := range m.Models[:len(m.Models)-1] {
		X = s.(Transformer).Transform(X)
	}
	return X
}

func (m *PipelineModel) blockPrefix(x *array.Dense) (*array.Dense, error) {
	for _, s := range m.Models[:len(m.Models)-1] {
		t, ok := s.(BlockTransformer)
		if !ok {
			return nil, errf("Pipeline", "step %s does not transform blocks", s.ModelName())
		}
		var err error
		if x, err = t.TransformBlock(x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// PredictBlock implements BlockPredictor (the whole chain on one block).
func (m *PipelineModel) PredictBlock(x *array.Dense) (*array.Dense, error) {
	x, err := m.blockPrefix(x)
	if err != nil {
		return nil, err
	}
	p, ok := m.Models[len(m.Models)-1].(BlockPredictor)
	if !ok {
		return nil, errf("Pipeline", "the last step does not predict")
	}
	return p.PredictBlock(x)
}

// PredictProbaBlock implements BlockProbaPredictor.
func (m *PipelineModel) PredictProbaBlock(x *array.Dense) (*array.Dense, error) {
	x, err := m.blockPrefix(x)
	if err != nil {
		return nil, err
	}
	p, ok := m.Models[len(m.Models)-1].(BlockProbaPredictor)
	if !ok {
		return nil, errf("Pipeline", "the last step gives no probabilities")
	}
	return p.PredictProbaBlock(x)
}

// Predict returns the lazy predictions of the last step on the transformed X.
func (m *PipelineModel) Predict(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("Pipeline", "Predict")
	}
	p, ok := m.Models[len(m.Models)-1].(Predictor)
	if !ok {
		return noModel("Pipeline", "Predict with a last step that does not predict:")
	}
	return p.Predict(m.prefix(X))
}

// PredictProba returns the lazy probabilities of the last step.
func (m *PipelineModel) PredictProba(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("Pipeline", "PredictProba")
	}
	p, ok := m.Models[len(m.Models)-1].(ProbaPredictor)
	if !ok {
		return noModel("Pipeline", "PredictProba with a last step without probabilities:")
	}
	return p.PredictProba(m.prefix(X))
}

// Transform runs every step's Transform (all must be transformers).
func (m *PipelineModel) Transform(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("Pipeline", "Transform")
	}
	for _, s := range m.Models {
		t, ok := s.(Transformer)
		if !ok {
			return noModel("Pipeline", "Transform through a step that does not transform:")
		}
		X = t.Transform(X)
	}
	return X
}

// Score is the last step's Score on the transformed X.
func (m *PipelineModel) Score(ctx context.Context, X, y *array.Array, opts ...sched.Option) (float64, error) {
	if !m.ok() {
		return 0, errf("Pipeline", "Score before Fit")
	}
	s, ok := m.Models[len(m.Models)-1].(Scorer)
	if !ok {
		return 0, errf("Pipeline", "the last step has no Score")
	}
	return s.Score(ctx, m.prefix(X), y, opts...)
}
