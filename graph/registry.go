package graph

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Decoder rebuilds an op from the bytes its Params method returned.
type Decoder func(params []byte) (Op, error)

var ops sync.Map // name -> Decoder

// Register makes the op name decodable, so tasks using it can be encoded and
// rebuilt in another process running the same binary. Call it from an init
// function. It panics if name is empty or already registered: both are
// programming errors found at start-up.
func Register(name string, dec Decoder) {
	if name == "" || dec == nil {
		panic("graph: Register with an empty name or nil decoder")
	}
	if _, dup := ops.LoadOrStore(name, dec); dup {
		panic("graph: op " + name + " registered twice")
	}
}

// Registered reports whether an op name has a decoder.
func Registered(name string) bool {
	_, ok := ops.Load(name)
	return ok
}

// RegisteredOps returns the registered op names, sorted.
func RegisteredOps() []string {
	var names []string
	ops.Range(func(k, _ any) bool { names = append(names, k.(string)); return true })
	sort.Strings(names)
	return names
}

// ErrUnregistered is wrapped by the errors of EncodeTask and Decode when an op,
// a function or a value type has not been registered.
var ErrUnregistered = errors.New("not registered")

// Decode rebuilds an op from its name and encoded parameters.
func Decode(name string, params []byte) (Op, error) {
	d, ok := ops.Load(name)
	if !ok {
		return nil, fmt.Errorf("graph: decode op %q: %w (graph.Register)", name, ErrUnregistered)
	}
	op, err := d.(Decoder)(params)
	if err != nil {
		return nil, fmt.Errorf("graph: decode op %q: %w", name, err)
	}
	return op, nil
}

// EncodeTask encodes a task to bytes; DecodeTask rebuilds it. It fails, naming
// the task and what is missing, when the op is not registered or cannot ship.
func EncodeTask(t *Task) ([]byte, error) {
	return appendTask(nil, t)
}

func appendTask(b []byte, t *Task) ([]byte, error) {
	name := t.Op.Name()
	if err := canShip(t.Op); err != nil {
		return nil, fmt.Errorf("graph: encode task %s: %w", t.Key, err)
	}
	p, err := t.Op.Params()
	if err != nil {
		return nil, fmt.Errorf("graph: encode task %s: params of op %q: %w", t.Key, name, err)
	}
	b = appendBytes(b, []byte(t.Key))
	b = appendBytes(b, []byte(name))
	b = appendBytes(b, p)
	b = binary.AppendUvarint(b, uint64(len(t.Deps)))
	for _, d := range t.Deps {
		b = appendBytes(b, []byte(d))
	}
	return b, nil
}

// canShip says why op cannot cross a process boundary: its name has no
// decoder, or it is a Shipper that refuses.
func canShip(op Op) error {
	if !Registered(op.Name()) {
		return fmt.Errorf("op %q %w (graph.Register)", op.Name(), ErrUnregistered)
	}
	if s, ok := op.(Shipper); ok {
		return s.Ship()
	}
	return nil
}

// DecodeTask rebuilds a task encoded by EncodeTask.
func DecodeTask(b []byte) (*Task, error) {
	t, rest, err := readTask(b)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("graph: decode task %s: %d trailing bytes", t.Key, len(rest))
	}
	return t, nil
}

func readTask(b []byte) (*Task, []byte, error) {
	r := Reader{b: b}
	key := string(r.Bytes())
	name := string(r.Bytes())
	params := r.Bytes()
	n := r.Uvarint()
	if r.err == nil && n > uint64(len(r.b)) {
		r.err = errors.New("dependency count exceeds input")
	}
	var deps []Key
	for i := uint64(0); i < n && r.err == nil; i++ {
		deps = append(deps, Key(r.Bytes()))
	}
	if r.err != nil {
		return nil, nil, fmt.Errorf("graph: decode task %q: %w", key, r.err)
	}
	op, err := Decode(name, params)
	if err != nil {
		return nil, nil, fmt.Errorf("graph: decode task %s: %w", key, err)
	}
	return &Task{Key: Key(key), Op: op, Deps: deps}, r.b, nil
}

func appendBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

// AppendBytes appends p to b with a length prefix; Reader.Bytes reads it back.
// Ops use it to encode their parameters.
func AppendBytes(b, p []byte) []byte { return appendBytes(b, p) }

// Reader reads what AppendBytes and binary.AppendUvarint/AppendVarint wrote,
// with a sticky error, so an op's decoder checks Err once at the end.
type Reader struct {
	b   []byte
	err error
}

// NewReader returns a Reader over b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Bytes reads a length-prefixed byte string. The result aliases the input.
func (r *Reader) Bytes() []byte {
	n := r.Uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("truncated input: want %d bytes, have %d", n, len(r.b))
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated or malformed varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated or malformed varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Rest returns the unread bytes.
func (r *Reader) Rest() []byte { return r.b }

// Err returns the first error met, or nil.
func (r *Reader) Err() error { return r.err }

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = errors.New("truncated input: want 1 byte")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}
