package cluster

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	arrowarray "github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/graph"
)

// serveData starts a data server of vals on loopback behind a muxListener
// (as a worker's port) and returns its address.
func serveData(t testing.TB, sec security, vals map[graph.Key]any) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	ds := &dataServer{sec: sec, where: "test server", idle: 10 * time.Second,
		get: func(it item) (any, func(), error) {
			v, ok := vals[it.key]
			if !ok {
				return nil, nil, fmt.Errorf("no value %s", it.key)
			}
			return v, func() {}, nil
		},
		track: func(c net.Conn, open bool) bool {
			mu.Lock()
			defer mu.Unlock()
			if conns == nil {
				return false
			}
			if open {
				conns[c] = true
			} else {
				delete(conns, c)
			}
			return true
		}}
	m := newMuxListener(l, ds.serve)
	t.Cleanup(func() {
		m.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		conns = nil
		mu.Unlock()
	})
	return l.Addr().String()
}

// TestDataPlaneRoundTrips fetches values of every codec (array blocks of
// every dtype, Arrow records with nulls, strings and dictionaries, frame
// partitions, small and empty values, values of several writes) over a
// data connection: each arrives equal, byte for byte, to what its codec
// gives; a missing and an unencodable value are refused by name and the
// connection goes on serving the others.
func TestDataPlaneRoundTrips(t *testing.T) {
	vals := wireValues(t)
	vals["unencodable"] = make(chan int)
	dict := dictRecord(t, 50_000)
	vals["dict-record"], vals["dict-part"], vals["dict-empty"] = dict, &frame.Part{R: dict}, &frame.Part{R: dictRecord(t, 0)}
	// The encodings to compare with, made before the server runs: Arrow
	// builds a dictionary array's dictionary lazily, on first use, so two
	// goroutines encoding one record for the first time race.
	wants := map[graph.Key][]byte{}
	for k, v := range vals {
		wants[k], _ = graph.EncodeValue(v)
	}
	sec := security{token: "t"}
	addr := serveData(t, sec, vals)
	d, err := dialData(addr, sec, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var items []item
	for k := range vals {
		items = append(items, item{key: k, part: -1})
	}
	items = append(items, item{key: "missing", part: -1})
	for round := 0; round < 2; round++ { // the connection is reused
		seen := map[graph.Key]bool{}
		var refusals []string
		err = d.fetch(items, 10*time.Second, func(i int, b []byte) error {
			k := items[i].key
			seen[k] = true
			got, err := graph.DecodeValueOwned(b)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			want := wants[k]
			again, err := graph.EncodeValue(got)
			if err != nil {
				return fmt.Errorf("%s: re-encode: %w", k, err)
			}
			if !bytes.Equal(again, want) {
				return fmt.Errorf("%s: %T arrived different (%d bytes, want %d)", k, got, len(again), len(want))
			}
			return nil
		}, func(i int, err error) {
			if !errors.Is(err, errRemote) {
				t.Errorf("refusal of %s does not wrap errRemote: %v", items[i].key, err)
			}
			refusals = append(refusals, err.Error())
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if len(seen) != len(vals)-1 {
			t.Fatalf("round %d: %d values arrived, want %d", round, len(seen), len(vals)-1)
		}
		all := strings.Join(refusals, "\n")
		if len(refusals) != 2 || !strings.Contains(all, "unencodable") || !strings.Contains(all, "no value missing") {
			t.Fatalf("round %d: refusals %q", round, refusals)
		}
	}
}

// dictRecord is a record of n rows with a dictionary-encoded string column
// (with nulls) beside a nullable int64 one, as persisted frames hold.
func dictRecord(t *testing.T, n int) arrow.Record {
	t.Helper()
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: dt, Nullable: true}, {Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := arrowarray.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	words := []string{"id001", "é", "日本", "", "🌍"}
	db := b.Field(0).(*arrowarray.BinaryDictionaryBuilder)
	ib := b.Field(1).(*arrowarray.Int64Builder)
	for i := 0; i < n; i++ {
		if i%7 == 3 {
			db.AppendNull()
		} else if err := db.AppendString(words[i%len(words)]); err != nil {
			t.Fatal(err)
		}
		if i%5 == 1 {
			ib.AppendNull()
		} else {
			ib.Append(int64(i) * 0x1p40)
		}
	}
	return b.NewRecord()
}

// TestDataPlaneSecurity: a data connection with a wrong or no token is
// refused naming the peer, a plain one to a TLS worker and a TLS one with
// another CA's certificate fail, and one with the cluster's certificates
// moves a value; gRPC keeps working on the same port.
func TestDataPlaneSecurity(t *testing.T) {
	vals := map[graph.Key]any{"v": []float64{1, 2, 3}}
	plain := serveData(t, security{token: "right"}, vals)
	for _, tok := range []string{"wrong", ""} {
		_, err := dialData(plain, security{token: tok}, 5*time.Second)
		want := "wrong cluster token"
		if tok == "" {
			want = "no cluster token"
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "refused by test server") || !strings.Contains(err.Error(), "127.0.0.1") {
			t.Fatalf("token %q: %v", tok, err)
		}
	}
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	tlsOf := func(ca *CA) *tls.Config {
		c, k, err := ca.Issue()
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := tlsConfigPEM(ca.CertPEM, c, k, "test")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	sec := security{token: "right", tls: tlsOf(ca)}
	secure := serveData(t, sec, vals)
	if _, err := dialData(secure, security{token: "right"}, 2*time.Second); err == nil {
		t.Fatal("a plain data connection to a TLS server was accepted")
	}
	other, _ := NewCA()
	if _, err := dialData(secure, security{token: "right", tls: tlsOf(other)}, 2*time.Second); err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("another CA's certificate: %v", err)
	}
	if _, err := dialData(secure, security{token: "wrong", tls: sec.tls}, 2*time.Second); err == nil || !strings.Contains(err.Error(), "wrong cluster token") {
		t.Fatalf("TLS with a wrong token: %v", err)
	}
	d, err := dialData(secure, sec, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var got any
	err = d.fetch([]item{{key: "v", part: -1}}, 5*time.Second, func(_ int, b []byte) (err error) {
		got, err = graph.DecodeValueOwned(b)
		return err
	}, func(_ int, err error) { t.Error(err) })
	if err != nil || fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("over TLS: %v, %v", got, err)
	}
	// gRPC on the same port: the mux hands it the connection (the server
	// is not a gRPC one, so the call fails at HTTP/2, not at the mux).
	c, err := net.Dial("tcp", plain)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
	c.Close()
}

// TestDataPlaneMalformed: answers cut short, a bad status, an oversized
// header and a silent server are errors that say so, never panics or hangs.
func TestDataPlaneMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, answer, want string
	}{
		{"cut", "\x00\x00\x10\x01abc", "cut short at 3 of 16"},
		{"status", "\x00\x07", "bad value status"},
		{"header", "\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x01", "bad value header"},
		{"silent", "\x00", "stalled"},
		{"refusal cut", "\x00\x01\x40ab", "cut short"},
	} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			// The magic and the token frame, then accept; the request,
			// then the rest of the answer.
			br := bufio.NewReader(c)
			if _, err := io.ReadFull(br, make([]byte, len(dataMagic)+2)); err != nil {
				return
			}
			c.Write([]byte(tc.answer[:1]))
			if _, err := readFrame(br, 1<<10); err != nil {
				return
			}
			c.Write([]byte(tc.answer[1:]))
			if tc.name == "silent" {
				time.Sleep(500 * time.Millisecond)
			}
		}()
		d, err := dialData(l.Addr().String(), security{token: "t"}, 200*time.Millisecond)
		if err == nil {
			err = d.fetch([]item{{key: "v", part: -1}}, 200*time.Millisecond, func(int, []byte) error { return nil }, func(int, error) {})
			d.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		l.Close()
		<-done
	}
}
