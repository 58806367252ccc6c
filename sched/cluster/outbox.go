package cluster

import (
	"encoding/binary"
	"sync"

	"github.com/godask/godask/graph"
)

// outbox holds the messages the scheduler has for one worker until its
// sender goroutine writes them, so the scheduler never waits on the
// network. Tasks to run, keys to free and tasks to cancel accumulate in one
// batch message (mBatch) per run, cut at batchBytes, with every entry
// tagged by its kind and kept in the order it was queued: the worker acts
// on them in that order. (Batches of one kind each, sent computes first,
// let the free of a stale copy reach the worker after a compute that had
// resolved an input against that copy; TestOutboxKeepsOrder.) Any other
// message first flushes the batch, so a release follows every task of its
// run.
type outbox struct {
	mu      sync.Mutex
	msgs    [][]byte
	batch   []byte // the open mBatch, nil when none
	run     uint64 // its run
	sig     chan struct{}
	blobSeq uint64
}

const batchBytes = 512 << 10

// Kinds of an outbox entry (the argument of entry), sent as the entry's
// first byte.
const (
	eCompute = 0 // tid, attempt, flags, prio, task (or blob id), per dep: source run, holders
	eFree    = 1 // key
	eCancel  = 2 // tid, attempt
)

func newOutbox() *outbox { return &outbox{sig: make(chan struct{}, 1)} }

func (o *outbox) signal() {
	select {
	case o.sig <- struct{}{}:
	default:
	}
}

// entry appends one entry of kind k (eCompute, eFree, eCancel) for run,
// after everything queued before it.
func (o *outbox) entry(k byte, run uint64, fill func(b []byte) []byte) {
	o.mu.Lock()
	if o.batch != nil && o.run != run {
		o.flushLocked()
	}
	if o.batch == nil {
		o.batch = binary.AppendUvarint(append(make([]byte, 0, 32<<10), mBatch), run)
		o.run = run
	}
	o.batch = fill(append(o.batch, k))
	if len(o.batch) > batchBytes {
		o.flushLocked()
	}
	o.mu.Unlock()
	o.signal()
}

// blobLocked queues a large byte string (an encoded task) as chunks ahead
// of the batch that refers to it, and returns its id. o.mu is held: it is
// called from an entry's fill, while the batch is still open.
func (o *outbox) blobLocked(b []byte) uint64 {
	o.blobSeq++
	id := o.blobSeq
	for off := 0; off == 0 || off < len(b); off += chunkSize {
		m := []byte{mBlob}
		m = binary.AppendUvarint(m, id)
		m = binary.AppendUvarint(m, uint64(len(b)))
		m = append(m, b[off:min(len(b), off+chunkSize)]...)
		o.msgs = append(o.msgs, m)
	}
	return id
}

// send queues a message after the pending batches.
func (o *outbox) send(m []byte) {
	o.mu.Lock()
	o.flushLocked()
	o.msgs = append(o.msgs, m)
	o.mu.Unlock()
	o.signal()
}

func (o *outbox) flushLocked() {
	if o.batch != nil {
		o.msgs = append(o.msgs, o.batch)
		o.batch = nil
	}
}

// take returns everything queued, the open batch included.
func (o *outbox) take() [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
	m := o.msgs
	o.msgs = nil
	return m
}

// inlineTask is the largest encoded task sent inside a batch; larger ones
// (a Const holding a big value) travel as a blob.
const inlineTask = 256 << 10

// appendTaskRef appends enc, or the id of a blob holding it, to an entry
// being filled (o.mu held).
func appendTaskRef(b []byte, o *outbox, enc []byte) []byte {
	if len(enc) > inlineTask {
		id := o.blobLocked(enc)
		return binary.AppendUvarint(b, id)
	}
	b = binary.AppendUvarint(b, 0)
	return graph.AppendBytes(b, enc)
}
