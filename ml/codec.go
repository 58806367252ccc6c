package ml

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"reflect"
	"sync"

	"github.com/godask/godask/graph"
)

// FormatVersion is the version of the model file format Save writes and
// Load reads. A file of another version is refused with an error naming
// both versions.
const FormatVersion = 1

var magic = []byte("GODASKML")

var models sync.Map // name → reflect.Type (of the pointer's element)

// RegisterModel registers the model type of m (a pointer to a struct whose
// fitted state is in exported, gob-encodable fields) under m.ModelName(),
// for Save, Load and as a task value (graph.RegisterType). Models of this
// package are registered at init; a user's model registers once, from an
// init function. Registering a different type under a taken name panics.
func RegisterModel(m Model) {
	t := reflect.TypeOf(m)
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("ml: RegisterModel(%T): want a pointer to a struct", m))
	}
	if old, dup := models.LoadOrStore(m.ModelName(), t.Elem()); dup && old.(reflect.Type) != t.Elem() {
		panic("ml: RegisterModel: name " + m.ModelName() + " registered twice")
	}
	graph.RegisterCodec("ml."+m.ModelName(), t, graph.Codec{
		Encode: func(v any) ([]byte, error) { return Save(v.(Model)) },
		Decode: func(b []byte) (any, error) { return Load(b) },
	})
}

// Save encodes a fitted model: magic, FormatVersion, the model's registered
// name, and its exported fields (gob).
func Save(m Model) ([]byte, error) {
	if m == nil || reflect.ValueOf(m).IsNil() {
		return nil, fmt.Errorf("ml: Save: nil model (Fit first)")
	}
	name := m.ModelName()
	if _, ok := models.Load(name); !ok {
		return nil, fmt.Errorf("ml: Save %T: model %q is not registered (ml.RegisterModel)", m, name)
	}
	var buf bytes.Buffer
	buf.Write(magic)
	var v [2]byte
	binary.LittleEndian.PutUint16(v[:], FormatVersion)
	buf.Write(v[:])
	buf.Write(binary.AppendUvarint(nil, uint64(len(name))))
	buf.WriteString(name)
	if err := gob.NewEncoder(&buf).Encode(m); err != nil {
		return nil, fmt.Errorf("ml: Save %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// Load decodes a model written by Save. A file that is not a model, of
// another format version, or of an unregistered model type is an error.
func Load(b []byte) (Model, error) {
	if len(b) < len(magic)+2 || !bytes.Equal(b[:len(magic)], magic) {
		return nil, fmt.Errorf("ml: Load: not a godask ml model file (no %q header)", magic)
	}
	b = b[len(magic):]
	ver := binary.LittleEndian.Uint16(b)
	if ver != FormatVersion {
		return nil, fmt.Errorf("ml: Load: model file has format version %d, this build reads version %d", ver, FormatVersion)
	}
	b = b[2:]
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return nil, fmt.Errorf("ml: Load: truncated model header")
	}
	name := string(b[k : k+int(n)])
	b = b[k+int(n):]
	t, ok := models.Load(name)
	if !ok {
		return nil, fmt.Errorf("ml: Load: model %q is not registered in this binary", name)
	}
	v := reflect.New(t.(reflect.Type))
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(v.Interface()); err != nil {
		return nil, fmt.Errorf("ml: Load %s: %w", name, err)
	}
	return v.Interface().(Model), nil
}
