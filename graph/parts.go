package graph

// Parted values and part readers: the engine contract of shuffles.
//
// A shuffle splits each of n inputs into n shards and assembles output j from
// shard j of every input: n split tasks, n assembling tasks, n² shards. If the
// split values were read whole, each split value would have to be in memory
// (or reloaded from disk) once per reader: O(n²) bytes of IO and a whole value
// resident for every shard actually used. Instead a split value implements
// Parted, and each assembling op implements PartReader to say that it reads
// only part j of each input. The executor then hands the op Part(j) of the
// value, not the value; a spilled value is written part by part (when its
// codec has a Join, see Codec) so that one part is read back from disk alone;
// and once every reader of part j has run, the executor drops part j (see
// PartDropper), so the memory of a shuffle drains as its outputs are built.
//
// The contract, for op authors:
//   - InputParts(n)[i] == j >= 0: the op's input i is Part(j) of the value of
//     Deps[i] when that value is Parted, or the whole value when it is not
//     (an op reading parts must accept both).
//   - InputParts(n)[i] == -1 (or a nil or short slice): input i is the whole
//     value.
//   - The selectors are derived from the op's parameters, so they survive
//     task encoding; Fused forwards the selectors of its chain's external
//     inputs (one fused input per distinct key and selector).

// Parted is implemented by values made of parts that tasks may read one at a
// time: the shards of a hash or range split. NumParts is fixed for the
// value's life. Part(j) returns part j (for 0 <= j < NumParts) without
// copying where it can; it may be called from several goroutines at once for
// different or equal j, so it must not modify the value. A part is itself a
// value: it must have a codec to spill or ship.
type Parted interface {
	NumParts() int
	Part(j int) any
}

// PartDropper is implemented by Parted values that can release one part's
// memory once no task will read it again. DropPart(j) releases part j and
// returns the bytes it freed (what Size counted for it); the executor calls
// it at most once per part, possibly concurrently for different parts, and
// never while a task that reads part j runs. It never calls it for a run's
// outputs or for values held by a Const. An op whose value is a PartDropper
// hands the executor ownership of it: the op must return a fresh value, not
// one it keeps or one of its inputs.
type PartDropper interface {
	DropPart(j int) int64
}

// PartReader is implemented by ops that read only one part of some of their
// inputs. InputParts(n), for a task with n inputs, returns for each input in
// the order of Task.Deps the part the op reads, or -1 for the whole value; a
// nil or short slice means whole values for the inputs it does not cover.
type PartReader interface {
	InputParts(n int) []int
}

// InputPartsOf returns the part op reads of each of its n inputs (-1: the
// whole value), or nil when it reads every input whole.
func InputPartsOf(op Op, n int) []int {
	pr, ok := op.(PartReader)
	if !ok {
		return nil
	}
	sel := pr.InputParts(n)
	any := false
	for i := 0; i < n && i < len(sel); i++ {
		if sel[i] >= 0 {
			any = true
		}
	}
	if !any {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = -1
		if i < len(sel) && sel[i] >= 0 {
			out[i] = sel[i]
		}
	}
	return out
}

// AllParts returns the selectors of an op that reads part j of each of its n
// inputs (for InputParts), or nil (whole values) when j < 0.
func AllParts(n, j int) []int {
	if j < 0 {
		return nil
	}
	sel := make([]int, n)
	for i := range sel {
		sel[i] = j
	}
	return sel
}

// SelectPart returns what an op that reads part j of a value receives:
// Part(j) of a Parted value, the value itself otherwise (or when j < 0).
func SelectPart(v any, j int) any {
	if j < 0 {
		return v
	}
	if p, ok := v.(Parted); ok {
		return p.Part(j)
	}
	return v
}
