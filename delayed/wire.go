package delayed

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"reflect"
	"strings"

	"github.com/godask/godask/graph"
)

// The decoder of "delayed.call": the process that receives a task finds the
// function by its registered name and calls it through reflection.
func init() {
	graph.Register("delayed.call", decodeCall)
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

func decodeCall(p []byte) (graph.Op, error) {
	r := graph.NewReader(p)
	name := string(r.Bytes())
	if r.Err() != nil {
		return nil, r.Err()
	}
	e, ok := regByName.Load(name)
	if !ok {
		return nil, fmt.Errorf("function %s is %w with delayed.Register in this process", name, graph.ErrUnregistered)
	}
	fn := e.(*fnEntry).fn
	n := r.Uvarint()
	if r.Err() != nil || n > uint64(len(r.Rest())) { // every argument takes a byte at least
		return nil, fmt.Errorf("call of %s: %d arguments in %d bytes", name, n, len(r.Rest()))
	}
	op := &callOp{info: fnInfo{name: name, short: shortName(name), register: true}, fn: fn, params: p, isDep: make([]bool, n)}
	for i := 0; i < int(n) && r.Err() == nil; i++ {
		switch r.Byte() {
		case 0:
			v, err := graph.DecodeValue(r.Bytes())
			if err != nil {
				return nil, fmt.Errorf("call of %s: argument %d: %w", name, i, err)
			}
			if op.lits == nil {
				op.lits = make([]any, n)
			}
			op.lits[i] = v
		case 1:
			op.isDep[i] = true
			op.nDeps++
		default:
			return nil, fmt.Errorf("call of %s: argument %d cannot be decoded", name, i)
		}
	}
	if r.Err() != nil {
		return nil, fmt.Errorf("call of %s: %w", name, r.Err())
	}
	if len(r.Rest()) != 0 {
		return nil, fmt.Errorf("call of %s: %d trailing bytes", name, len(r.Rest()))
	}
	op.invoke = reflectInvoke(name, fn)
	if strings.HasPrefix(name, "delayed.list[") {
		op.info.short = "list"
	}
	return op, nil
}

// reflectInvoke calls fn with args through reflection; nil arguments become
// the parameter's zero value, and a last result of type error is the error.
func reflectInvoke(name string, fn any) func([]any) (any, error) {
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	return func(args []any) (any, error) {
		in := make([]reflect.Value, len(args))
		for i, a := range args {
			pt := paramType(ft, i)
			if a == nil {
				in[i] = reflect.Zero(pt)
				continue
			}
			v := reflect.ValueOf(a)
			if !v.Type().AssignableTo(pt) {
				return nil, fmt.Errorf("delayed: %s argument %d: have %v, want %v", name, i, v.Type(), pt)
			}
			in[i] = v
		}
		if !ft.IsVariadic() && len(in) != ft.NumIn() {
			return nil, fmt.Errorf("delayed: %s takes %d arguments, got %d", name, ft.NumIn(), len(in))
		}
		out := fv.Call(in)
		if len(out) == 2 && ft.Out(1) == errorType {
			if err, _ := out[1].Interface().(error); err != nil {
				return nil, err
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out[0].Interface(), nil
	}
}

func paramType(ft reflect.Type, i int) reflect.Type {
	if ft.IsVariadic() && i >= ft.NumIn()-1 {
		return ft.In(ft.NumIn() - 1).Elem()
	}
	return ft.In(i)
}

func typeName(t reflect.Type) string {
	if t.PkgPath() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}

// gobCodec encodes values of type t with encoding/gob.
func gobCodec(t reflect.Type) graph.Codec {
	return graph.Codec{
		Encode: func(v any) ([]byte, error) {
			var buf bytes.Buffer
			p := reflect.New(t)
			p.Elem().Set(reflect.ValueOf(v))
			err := gob.NewEncoder(&buf).EncodeValue(p)
			return buf.Bytes(), err
		},
		Decode: func(b []byte) (any, error) {
			p := reflect.New(t)
			err := gob.NewDecoder(bytes.NewReader(b)).DecodeValue(p)
			return p.Elem().Interface(), err
		},
	}
}
