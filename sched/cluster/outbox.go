package cluster

import (
	"encoding/binary"
	"sync"

	"github.com/godask/godask/graph"
)

// outbox holds the messages the scheduler has for one worker until its
// sender goroutine writes them, so the scheduler never waits on the
// network. Tasks to run, keys to free and tasks to cancel accumulate in
// one message per kind and run (batches), cut at batchBytes; any other
// message first flushes the batches, so a release follows every task of its
// run.
type outbox struct {
	mu      sync.Mutex
	msgs    [][]byte
	batch   [3][]byte // compute, free, cancel
	run     [3]uint64
	sig     chan struct{}
	blobSeq uint64
}

const batchBytes = 512 << 10

var batchType = [3]byte{mCompute, mFree, mCancel}

func newOutbox() *outbox { return &outbox{sig: make(chan struct{}, 1)} }

func (o *outbox) signal() {
	select {
	case o.sig <- struct{}{}:
	default:
	}
}

// entry appends one entry of kind k (0 compute, 1 free, 2 cancel) for run.
func (o *outbox) entry(k int, run uint64, fill func(b []byte) []byte) {
	o.mu.Lock()
	if o.batch[k] != nil && o.run[k] != run {
		o.msgs = append(o.msgs, o.batch[k])
		o.batch[k] = nil
	}
	if o.batch[k] == nil {
		o.batch[k] = binary.AppendUvarint(append(make([]byte, 0, 32<<10), batchType[k]), run)
		o.run[k] = run
	}
	o.batch[k] = fill(o.batch[k])
	if len(o.batch[k]) > batchBytes {
		o.msgs = append(o.msgs, o.batch[k])
		o.batch[k] = nil
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
	for k := range o.batch {
		if o.batch[k] != nil {
			o.msgs = append(o.msgs, o.batch[k])
			o.batch[k] = nil
		}
	}
}

// take returns everything queued, batches included.
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
