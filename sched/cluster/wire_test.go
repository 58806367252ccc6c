package cluster

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	arrowarray "github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/flight"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/mem"

	"github.com/godask/godask/array"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/graph"
)

// valueServer serves fixed values by key over DoGet, as a worker does.
type valueServer struct {
	flight.BaseFlightServer
	vals map[graph.Key]any
}

func (s *valueServer) DoGet(t *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	items, err := decodeTicket(t.Ticket)
	if err != nil {
		return err
	}
	for _, it := range items {
		v, ok := s.vals[it.key]
		if !ok {
			if err := sendValueError(stream, fmt.Sprintf("no value %s", it.key)); err != nil {
				return err
			}
			continue
		}
		if err := sendAny(stream, v, string(it.key)); err != nil {
			return err
		}
	}
	return nil
}

// serveValues starts a server of vals on loopback and returns a client
// whose receive limit is a little more than one chunk: a value larger than
// one message must still arrive.
func serveValues(t testing.TB, vals map[graph.Key]any) flight.FlightServiceClient {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(security{token: "t"})
	flight.RegisterFlightServiceServer(srv, &valueServer{vals: vals})
	go srv.Serve(l)
	cc, err := dial(l.Addr().String(), security{token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close(); srv.Stop() })
	return flight.NewFlightServiceClient(cc)
}

// wireValues are values of every codec the cluster ships, with nulls, NaN,
// int64 extremes, empty ones, unicode, and some larger than one message.
func wireValues(t *testing.T) map[graph.Key]any {
	rng := rand.New(rand.NewSource(16))
	big := make([]float64, chunkSize/8*2+1001) // > 2 messages
	for i := range big {
		big[i] = rng.NormFloat64()
	}
	big[0], big[1], big[2], big[3] = math.NaN(), math.Inf(1), math.Copysign(0, -1), math.MaxFloat64
	bigBytes := make([]byte, chunkSize+17)
	rng.Read(bigBytes)
	dense := func(dt array.DType, shape ...int) *array.Dense {
		d := array.NewDense(dt, shape...)
		for i := 0; i < d.Len(); i++ {
			switch dt {
			case array.Float64:
				d.Data[i] = rng.NormFloat64()
			case array.Float32:
				d.F32[i] = float32(rng.NormFloat64())
			case array.Int64:
				d.I64[i] = rng.Int63() - rng.Int63()
			case array.Bool:
				d.B[i] = rng.Intn(2) == 1
			}
		}
		return d
	}
	df := dense(array.Float64, 700, 500) // 2.8 MB: more than one message
	df.Data[5] = math.NaN()
	di := dense(array.Int64, 3, 4)
	di.I64[0], di.I64[1] = math.MinInt64, math.MaxInt64
	d32 := dense(array.Float32, 10)
	d32.F32[3] = float32(math.NaN())
	vals := map[graph.Key]any{
		"nil":          nil,
		"int64-min":    int64(math.MinInt64),
		"int64-max":    int64(math.MaxInt64),
		"nan":          math.NaN(),
		"string":       "héllo, 世界 🌍",
		"empty-string": "",
		"floats":       []float64{math.NaN(), math.Inf(-1), -0.0, 1e-310},
		"big-floats":   big,
		"no-floats":    []float64{},
		"bytes":        bigBytes,
		"no-bytes":     []byte{},
		"int64s":       []int64{math.MinInt64, -1, 0, math.MaxInt64},
		"strings":      []string{"", "ü", "日本語", "\x00"},
		"dense-f64":    df,
		"dense-i64":    di,
		"dense-f32":    d32,
		"dense-bool":   dense(array.Bool, 2, 3),
		"dense-empty":  dense(array.Float64, 0, 3),
	}
	for name, rec := range wireRecords(t, rng) {
		vals[graph.Key("part-"+name)] = &frame.Part{R: rec}
		vals[graph.Key("record-"+name)] = rec
	}
	return vals
}

// wireRecords are Arrow records with nulls, NaN, int64 extremes, unicode,
// an empty one and one larger than a message.
func wireRecords(t *testing.T, rng *rand.Rand) map[string]arrow.Record {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	build := func(n int) arrow.Record {
		b := arrowarray.NewRecordBuilder(memory.DefaultAllocator, schema)
		defer b.Release()
		words := []string{"a", "é", "日本", "🌍", ""}
		for i := 0; i < n; i++ {
			if i%7 == 3 {
				for j := 0; j < 4; j++ {
					b.Field(j).AppendNull()
				}
				continue
			}
			iv := rng.Int63() - rng.Int63()
			switch i % 11 {
			case 1:
				iv = math.MinInt64
			case 2:
				iv = math.MaxInt64
			}
			fv := rng.NormFloat64()
			if i%13 == 5 {
				fv = math.NaN()
			}
			b.Field(0).(*arrowarray.Int64Builder).Append(iv)
			b.Field(1).(*arrowarray.Float64Builder).Append(fv)
			b.Field(2).(*arrowarray.StringBuilder).Append(words[i%len(words)])
			b.Field(3).(*arrowarray.BooleanBuilder).Append(i%3 == 0)
		}
		return b.NewRecord()
	}
	return map[string]arrow.Record{"small": build(100), "empty": build(0), "big": build(120_000)}
}

// TestWireRoundTrips fetches values of every codec over a real gRPC
// connection whose receive limit is about one message: each arrives equal
// (its encoding byte for byte) to what the codec alone gives, a value
// larger than a message included, in the order asked, with refusals for a
// missing and an unencodable value in between.
func TestWireRoundTrips(t *testing.T) {
	vals := wireValues(t)
	vals["unencodable"] = make(chan int)
	cl := serveValues(t, vals)
	var items []item
	for k := range vals {
		items = append(items, item{key: k, part: -1})
	}
	items = append(items, item{key: "missing", part: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := fetch(ctx, cl, items, 10*time.Second, func(i int, b []byte) error {
		k := items[i].key
		if k == "unencodable" || k == "missing" {
			return fmt.Errorf("%s arrived", k)
		}
		got, err := graph.DecodeValueOwned(b)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		want, _ := graph.EncodeValue(vals[k])
		again, err := graph.EncodeValue(got)
		if err != nil {
			return fmt.Errorf("%s: re-encode: %w", k, err)
		}
		if !bytes.Equal(again, want) {
			return fmt.Errorf("%s: %T arrived different (%d bytes, want %d)", k, got, len(again), len(want))
		}
		return nil
	})
	// The fetch stops at the first refusal, whichever comes first.
	if err == nil || !errors.Is(err, errRemote) {
		t.Fatalf("fetch: %v, want a refusal", err)
	}
	if !strings.Contains(err.Error(), "unencodable") && !strings.Contains(err.Error(), "no value missing") {
		t.Fatalf("refusal does not name the value: %v", err)
	}
	// Now every encodable value, with a per-call limit of one chunk plus
	// framing: no message is larger.
	// (vals is not changed: the server may still be reading it for the
	// first call.)
	items = items[:0]
	for k := range vals {
		if k != "unencodable" {
			items = append(items, item{key: k, part: -1})
		}
	}
	n := 0
	err = fetch(ctx, cl, items, 10*time.Second, func(i int, b []byte) error {
		n++
		got, err := graph.DecodeValueOwned(b)
		if err != nil {
			return err
		}
		want, _ := graph.EncodeValue(vals[items[i].key])
		again, _ := graph.EncodeValue(got)
		if !bytes.Equal(again, want) {
			return fmt.Errorf("%s arrived different", items[i].key)
		}
		return nil
	}, grpc.MaxCallRecvMsgSize(chunkSize+1<<10))
	if err != nil || n != len(items) {
		t.Fatalf("fetch of %d values: %d arrived, %v", len(items), n, err)
	}
}

// TestMessageLimit: a receiver that takes less than one chunk per message
// refuses the value with gRPC's size error instead of hanging, naming the
// sizes.
func TestMessageLimit(t *testing.T) {
	cl := serveValues(t, map[graph.Key]any{"big": make([]byte, chunkSize+1)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := fetch(ctx, cl, []item{{key: "big", part: -1}}, 5*time.Second, func(int, []byte) error { return nil },
		grpc.MaxCallRecvMsgSize(chunkSize/2))
	if err == nil || !strings.Contains(err.Error(), "larger than max") {
		t.Fatalf("fetch with a half-chunk limit: %v", err)
	}
}

// TestValueSink feeds the fetch receiver messages cut into gRPC buffers at
// random places: the value is the same; malformed answers are errors, never
// panics.
func TestValueSink(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	val := make([]byte, 3*bodyCopyMax+5)
	rng.Read(val)
	msgs := []*flight.FlightData{
		{AppMetadata: append(binary.AppendUvarint([]byte{0}, uint64(len(val))), 0), DataBody: val[:100]},
		{DataBody: val[100 : 2*bodyCopyMax]},
		{DataBody: val[2*bodyCopyMax:]},
	}
	var sink valueSink
	for i, fd := range msgs {
		bs, err := theCodec.Marshal(fd)
		if err != nil {
			t.Fatal(err)
		}
		flat := bs.Materialize()
		var cut mem.BufferSlice
		for len(flat) > 0 {
			k := 1 + rng.Intn(len(flat))
			cut = append(cut, mem.SliceBuffer(flat[:k]))
			flat = flat[k:]
		}
		if err := theCodec.Unmarshal(cut, &sink); err != nil || sink.err != nil {
			t.Fatalf("message %d: %v %v", i, err, sink.err)
		}
		if sink.complete() != (i == len(msgs)-1) {
			t.Fatalf("message %d: complete %v", i, sink.complete())
		}
	}
	if !bytes.Equal(sink.buf, val) {
		t.Fatal("the value arrived different")
	}
	for _, bad := range [][]byte{
		{0xc2},                   // cut tag
		{0xc2, 0x3e, 5, 1},       // body longer than the message
		{0x1a, 1, 7},             // unknown status
		{0x1a, 2, 0, 0xff},       // cut length
		{0x1a, 2, 0, 1},          // no align
		{0x1a, 3, 0, 1, 3},       // align past the end
		{0xc2, 0x3e, 1, 1},       // body before any header
		{0x1a, 2, 0, 1, 0x1a, 2}, // cut second field
	} {
		var s valueSink
		if err := theCodec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(bad)}, &s); err != nil {
			t.Fatal(err)
		}
		if s.err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
	// A body past the announced length.
	var s valueSink
	over, _ := theCodec.Marshal(&flight.FlightData{AppMetadata: []byte{0, 2, 0}, DataBody: []byte{1, 2, 3}})
	theCodec.Unmarshal(over, &s)
	if s.err == nil {
		t.Error("a body longer than its value was taken")
	}
}
