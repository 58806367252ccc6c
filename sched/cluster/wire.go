package cluster

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/godask/godask/graph"
)

// The control protocol. Every control message travels as the app_metadata
// of one Arrow Flight FlightData on the DoExchange stream a worker opens to
// its scheduler: a type byte, then the fields, written with varints and
// length-prefixed byte strings (graph.AppendBytes). Batches (tasks to run,
// tasks done) are a run of entries up to the end of the message, so a
// sender appends to the message it has not sent yet and the receiver reads
// until the bytes run out.

const protocolVersion = 3

// Message types.
const (
	// worker -> scheduler
	mHello     byte = 1 // version, fingerprint, ops, codecs, addr, nthreads, memory limit, pid, host
	mDone      byte = 2 // entries: run, tid, attempt, status, ...
	mHeartbeat byte = 3 // held, spilled bytes, spill files, queued, running, fetched bytes, fetch ns
	// scheduler -> worker
	mWelcome byte = 10 // worker id, heartbeat interval (ms)
	mBatch   byte = 11 // run, then entries in the order queued: kind (eCompute, eFree, eCancel), then its fields (see outbox)
	mRelease byte = 13 // run: drop every value and task of the run
	mPeers   byte = 15 // entries: worker id, address (0-length address: gone)
	mRefuse  byte = 16 // reason
	mStop    byte = 17 // the cluster closes: exit
	mBlob    byte = 18 // id, total length, then a chunk of a large encoded task
)

// flagKeep marks a task of an eCompute entry whose value Persist keeps.
const flagKeep = 1

// Statuses of a done entry.
const (
	stOK      byte = 0 // computed: size, parts, duration ns
	stErr     byte = 1 // failed: message
	stMissing byte = 2 // an input could not be fetched: dep index, message
	stBegan   byte = 3 // started running
)

// fingerprint is the identity of the ops and codecs a binary registered: a
// worker whose fingerprint differs from its scheduler's is refused, naming
// the ops and codecs that differ.
type fingerprint struct {
	ops, codecs []string
	sum         string
}

func localFingerprint() fingerprint {
	return newFingerprint(graph.RegisteredOps(), graph.RegisteredCodecs())
}

func newFingerprint(ops, codecs []string) fingerprint {
	h := sha256.New()
	for _, o := range ops {
		h.Write([]byte(o))
		h.Write([]byte{0})
	}
	h.Write([]byte{1})
	for _, c := range codecs {
		h.Write([]byte(c))
		h.Write([]byte{0})
	}
	return fingerprint{ops: ops, codecs: codecs, sum: hex.EncodeToString(h.Sum(nil))[:16]}
}

// diff describes how w differs from f (the scheduler's), or "" when equal.
func (f fingerprint) diff(w fingerprint) string {
	if f.sum == w.sum {
		return ""
	}
	var parts []string
	add := func(what string, xs []string) {
		if len(xs) == 0 {
			return
		}
		if len(xs) > 12 {
			xs = append(xs[:12:12], fmt.Sprintf("and %d more", len(xs)-12))
		}
		parts = append(parts, what+": "+strings.Join(xs, ", "))
	}
	add("ops missing on the worker", minus(f.ops, w.ops))
	add("ops only on the worker", minus(w.ops, f.ops))
	add("codecs missing on the worker", minus(f.codecs, w.codecs))
	add("codecs only on the worker", minus(w.codecs, f.codecs))
	if len(parts) == 0 {
		return fmt.Sprintf("fingerprint %s differs from the scheduler's %s", w.sum, f.sum)
	}
	return strings.Join(parts, "; ")
}

// minus returns the elements of a not in b (both sorted).
func minus(a, b []string) []string {
	set := make(map[string]bool, len(b))
	for _, x := range b {
		set[x] = true
	}
	var out []string
	for _, x := range a {
		if !set[x] {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

type hello struct {
	version  uint64
	fp       fingerprint
	addr     string
	nthreads int
	memLimit int64
	pid      int
	host     string
}

func (h *hello) encode() []byte {
	b := []byte{mHello}
	b = binary.AppendUvarint(b, h.version)
	b = graph.AppendBytes(b, []byte(h.fp.sum))
	b = appendStrings(b, h.fp.ops)
	b = appendStrings(b, h.fp.codecs)
	b = graph.AppendBytes(b, []byte(h.addr))
	b = binary.AppendUvarint(b, uint64(h.nthreads))
	b = binary.AppendVarint(b, h.memLimit)
	b = binary.AppendUvarint(b, uint64(h.pid))
	b = graph.AppendBytes(b, []byte(h.host))
	return b
}

func decodeHello(b []byte) (*hello, error) {
	if len(b) == 0 || b[0] != mHello {
		return nil, fmt.Errorf("first message is not a hello")
	}
	r := graph.NewReader(b[1:])
	h := &hello{}
	h.version = r.Uvarint()
	sum := string(r.Bytes())
	ops := readStrings(r)
	codecs := readStrings(r)
	h.fp = newFingerprint(ops, codecs)
	h.addr = string(r.Bytes())
	h.nthreads = int(r.Uvarint())
	h.memLimit = r.Varint()
	h.pid = int(r.Uvarint())
	h.host = string(r.Bytes())
	if r.Err() != nil {
		return nil, fmt.Errorf("decode hello: %w", r.Err())
	}
	if h.fp.sum != sum {
		return nil, fmt.Errorf("hello: fingerprint %s does not match its op and codec lists (%s)", sum, h.fp.sum)
	}
	return h, nil
}

func appendStrings(b []byte, xs []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(xs)))
	for _, x := range xs {
		b = graph.AppendBytes(b, []byte(x))
	}
	return b
}

func readStrings(r *graph.Reader) []string {
	n := r.Uvarint()
	if n > uint64(len(r.Rest())) {
		return nil
	}
	out := make([]string, 0, n)
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		out = append(out, string(r.Bytes()))
	}
	return out
}

// heartbeat is what a worker reports every interval.
type heartbeat struct {
	held, spilled  int64
	files          int64
	queued, active int64
	fetched        int64 // bytes fetched from peers, in total
	fetchNs        int64 // time spent fetching them
	spills, loads  int64 // values written to spill files and read back, in total
}

func (h heartbeat) encode() []byte {
	b := []byte{mHeartbeat}
	for _, x := range []int64{h.held, h.spilled, h.files, h.queued, h.active, h.fetched, h.fetchNs, h.spills, h.loads} {
		b = binary.AppendVarint(b, x)
	}
	return b
}

func decodeHeartbeat(b []byte) (heartbeat, error) {
	r := graph.NewReader(b[1:])
	var h heartbeat
	for _, p := range []*int64{&h.held, &h.spilled, &h.files, &h.queued, &h.active, &h.fetched, &h.fetchNs, &h.spills, &h.loads} {
		*p = r.Varint()
	}
	return h, r.Err()
}
