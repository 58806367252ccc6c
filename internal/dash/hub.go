package dash

import (
	"sync"
	"sync/atomic"
	"time"
)

// Hub holds the aggregated state of every run it was told of: the recent
// runs, a bounded ring of the latest task boxes, tasks per second, and the
// process totals /metrics reports. A collector goroutine (Start) drains the
// runs' shards every 100 ms and hands each listener one frame.
type Hub struct {
	epoch int64 // UnixNano at creation; times are offsets from it

	mu      sync.Mutex
	runs    []*Run
	nextID  int
	ring    []Box // the latest boxes, ring buffer
	ringPos int   // next write position
	ringLen int
	seq     int64 // boxes collected so far
	dropped int64 // boxes not drawn (shard full)
	tps     []MemPoint
	lastT   int64
	lastN   int64
	keepAll bool  // a report: keep every box up to the ring's size
	stats   Stats // process totals

	errs  atomic.Int64
	subMu sync.Mutex
	subs  map[chan struct{}]struct{}
	stop  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

// Stats are the process totals since the hub started.
type Stats struct {
	Runs, Finished, Failed, Spilled, Loaded int64
	SpilledBytes, LoadedBytes               int64
	TaskSeconds                             map[string]float64
}

// NewHub returns a hub keeping the latest ringSize task boxes.
func NewHub(ringSize int) *Hub {
	if ringSize < 1 {
		ringSize = 1
	}
	return &Hub{epoch: time.Now().UnixNano(), ring: make([]Box, ringSize),
		subs: map[chan struct{}]struct{}{}, stop: make(chan struct{}),
		stats: Stats{TaskSeconds: map[string]float64{}}}
}

func (h *Hub) now() int64 { return time.Now().UnixNano() - h.epoch }

// Start runs the collector until Stop.
func (h *Hub) Start() {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.collect()
			}
		}
	}()
}

// Stop ends the collector and wakes every listener for the last time.
func (h *Hub) Stop() {
	h.once.Do(func() { close(h.stop) })
	h.wg.Wait()
	h.collect()
}

func (h *Hub) addRun(r *Run) {
	h.mu.Lock()
	h.nextID++
	r.ID = h.nextID
	h.runs = append(h.runs, r)
	if len(h.runs) > maxRuns {
		h.runs = append(h.runs[:0:0], h.runs[len(h.runs)-maxRuns:]...)
	}
	h.stats.Runs++
	h.mu.Unlock()
	h.notify()
}

func (h *Hub) noteError() { h.errs.Add(1) }

func (h *Hub) noteMark(kind string, bytes int64) {
	h.mu.Lock()
	switch kind {
	case "spill":
		h.stats.Spilled++
		h.stats.SpilledBytes += bytes
	default:
		h.stats.Loaded++
		h.stats.LoadedBytes += bytes
	}
	h.mu.Unlock()
}

// collect drains every live run's shards into the ring and wakes listeners.
func (h *Hub) collect() {
	h.mu.Lock()
	var boxes []Box
	var dropped int64
	for _, r := range h.runs {
		if r.drained {
			continue
		}
		var d, fin, fail int64
		boxes, d, fin, fail = r.drain(boxes)
		dropped += d
		h.stats.Finished += fin
		h.stats.Failed += fail
		if r.Ended() {
			r.drained = true
		}
	}
	for _, b := range boxes {
		if h.keepAll && h.ringLen == len(h.ring) {
			dropped++
			continue
		}
		h.ring[h.ringPos] = b
		h.ringPos = (h.ringPos + 1) % len(h.ring)
		if h.ringLen < len(h.ring) {
			h.ringLen++
		}
		if b.Group >= 0 {
			if r := h.runByID(b.Run); r != nil && int(b.Group) < len(r.labels) {
				h.stats.TaskSeconds[r.labels[b.Group]] += float64(b.End-b.Start) / 1e9
			}
		}
	}
	h.seq += int64(len(boxes))
	h.dropped += dropped
	now := h.now()
	if now-h.lastT >= int64(500*time.Millisecond) || h.lastT == 0 {
		done := h.stats.Finished + h.stats.Failed
		if h.lastT != 0 {
			rate := float64(done-h.lastN) / (float64(now-h.lastT) / 1e9)
			h.tps = append(h.tps, MemPoint{Time: now, Held: int64(rate)})
			if len(h.tps) > memPoints {
				h.tps = append(h.tps[:0:0], h.tps[len(h.tps)-memPoints/2:]...)
			}
		}
		h.lastT, h.lastN = now, done
	}
	h.mu.Unlock()
	h.notify()
}

// runByID returns a recent run; h.mu is held.
func (h *Hub) runByID(id int) *Run {
	for i := len(h.runs) - 1; i >= 0; i-- {
		if h.runs[i].ID == id {
			return h.runs[i]
		}
	}
	return nil
}

// subscribe returns a channel that receives a signal (dropped when one is
// pending: a slow reader skips frames) after each collection.
func (h *Hub) subscribe() (chan struct{}, func()) {
	c := make(chan struct{}, 1)
	h.subMu.Lock()
	h.subs[c] = struct{}{}
	h.subMu.Unlock()
	return c, func() {
		h.subMu.Lock()
		delete(h.subs, c)
		h.subMu.Unlock()
	}
}

func (h *Hub) notify() {
	h.subMu.Lock()
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	h.subMu.Unlock()
}

// boxesSince returns the boxes collected after sequence number seq (at most
// max, the newest), and the current sequence number.
func (h *Hub) boxesSince(seq int64, max int) ([]Box, int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.seq - seq
	if n > int64(h.ringLen) {
		n = int64(h.ringLen)
	}
	if n > int64(max) {
		n = int64(max)
	}
	if n < 0 {
		n = 0
	}
	out := make([]Box, n)
	for j := int64(0); j < n; j++ {
		p := (h.ringPos - int(n) + int(j) + 2*len(h.ring)) % len(h.ring)
		out[j] = h.ring[p]
	}
	return out, h.seq
}

// Runs returns the recent runs, oldest first.
func (h *Hub) Runs() []*Run {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*Run(nil), h.runs...)
}

// Totals returns the process totals (after a collection).
func (h *Hub) Totals() Stats {
	h.collect()
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.TaskSeconds = make(map[string]float64, len(h.stats.TaskSeconds))
	for k, v := range h.stats.TaskSeconds {
		s.TaskSeconds[k] = v
	}
	return s
}
