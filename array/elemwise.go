package array

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/graph"
)

// Elementwise operations build an expression tree per array instead of one
// task per operation: an operand that is itself elementwise over the same
// chunks is inlined, so a chain like Exp(x.MulScalar(2).AddScalar(1)) becomes
// one task per block that streams its inputs through tiles of a few thousand
// elements, with no intermediate array.

const (
	opLeaf uint8 = iota
	opConst
	// unary
	opNeg
	opExp
	opLog
	opSqrt
	opAbs
	opSin
	opCos
	opTanh
	opNot
	opFloor
	opCeil
	opIsNaN
	opCast
	// binary
	opAdd
	opSub
	opMul
	opDiv
	opPow
	opMax
	opMin
	opLt
	opLe
	opGt
	opGe
	opEq
	opNe
	opAnd
	opOr
	opXor
	// ternary
	opWhere
	opFill
)

var opNames = map[uint8]string{opNeg: "neg", opExp: "exp", opLog: "log", opSqrt: "sqrt", opAbs: "abs",
	opSin: "sin", opCos: "cos", opTanh: "tanh", opNot: "not", opFloor: "floor", opCeil: "ceil", opIsNaN: "isnan",
	opCast: "astype", opAdd: "add", opSub: "sub", opMul: "mul", opDiv: "div", opPow: "pow", opMax: "maximum",
	opMin: "minimum", opLt: "lt", opLe: "le", opGt: "gt", opGe: "ge", opEq: "eq", opNe: "ne", opAnd: "and",
	opOr: "or", opXor: "xor", opWhere: "where"}

type node struct {
	op   uint8
	leaf int
	c    float64
	dt   DType
	weak bool // a scalar constant: takes the other operand's dtype kind
	args []*node
}

type ewInfo struct {
	root   *node
	leaves []*Array
	// tr marks the leaves read transposed: a 2-d leaf x.T() is read from
	// the blocks of x through swapped strides instead of transposed copies.
	tr    []bool
	label string
}

func init() { registerKernel("elemwise", ewKernel) }

// Scalar returns a 0-d float64 array holding v. As an operand of an
// elementwise operation it is folded into the expression as a constant.
func Scalar(v float64) *Array {
	a := Full(nil, v, Float64, nil)
	a.ew = &ewInfo{root: &node{op: opConst, c: v, dt: Float64, weak: true}}
	return a
}

func broadcastShapes(op string, as []*Array) ([]int, error) {
	nd := 0
	for _, a := range as {
		nd = max(nd, len(a.shape))
	}
	out := make([]int, nd)
	for i := range out {
		out[i] = 1
	}
	for _, a := range as {
		off := nd - len(a.shape)
		for i, s := range a.shape {
			o := out[off+i]
			switch {
			case o == s || s == 1:
			case o == 1:
				out[off+i] = s
			default:
				return nil, fmt.Errorf("array: %s: shapes %s do not broadcast", op, shapesString(as))
			}
		}
	}
	return out, nil
}

func shapesString(as []*Array) string {
	s := ""
	for i, a := range as {
		if i > 0 {
			s += " and "
		}
		s += shapeString(a.shape)
	}
	return s
}

func resultDType(op uint8, args []*node) DType {
	switch op {
	case opLt, opLe, opGt, opGe, opEq, opNe, opAnd, opOr, opXor, opNot, opIsNaN:
		return Bool
	case opWhere:
		return joinDType(args[1], args[2])
	case opExp, opLog, opSqrt, opSin, opCos, opTanh:
		if args[0].dt == Float32 {
			return Float32
		}
		return Float64
	case opDiv:
		d := joinDType(args[0], args[1])
		if d == Float32 {
			return Float32
		}
		return Float64
	case opNeg, opAbs, opFloor, opCeil:
		if args[0].dt == Bool {
			return Int64
		}
		return args[0].dt
	}
	d := joinDType(args[0], args[1])
	if d == Bool && (op == opAdd || op == opSub || op == opMul || op == opPow) {
		if op == opAdd || op == opMul {
			return Bool // NumPy: bool+bool is logical or, bool*bool and
		}
		return Int64
	}
	return d
}

// joinDType promotes two operand dtypes; a weak scalar adapts to the other.
func joinDType(a, b *node) DType {
	if a.weak && !b.weak {
		a, b = b, a
	}
	if b.weak && !a.weak {
		integral := b.c == math.Trunc(b.c) && !math.IsInf(b.c, 0)
		switch {
		case a.dt == Float64 || a.dt == Float32:
			return a.dt
		case integral:
			if a.dt == Bool {
				return Int64
			}
			return a.dt
		}
		return Float64
	}
	return promote(a.dt, b.dt)
}

// elemwise builds the array of op applied to the operands, with NumPy
// broadcasting, inlining elementwise operands over the same chunks.
func elemwise(name string, op uint8, cast DType, xs ...*Array) *Array {
	if err := firstErr(xs...); err != nil {
		return &Array{err: err}
	}
	shape, err := broadcastShapes(name, xs)
	if err != nil {
		return &Array{err: err}
	}
	nd := len(shape)
	// Output chunks: from the first operand spanning each axis.
	chunks := make([][]int, nd)
	for i := range chunks {
		for _, a := range xs {
			off := nd - len(a.shape)
			if i >= off && a.shape[i-off] == shape[i] && (a.ew == nil || len(a.ew.leaves) > 0 || a.shape[i-off] != 1) {
				chunks[i] = a.chunks[i-off]
				break
			}
		}
		if chunks[i] == nil {
			chunks[i] = []int{shape[i]}
		}
	}
	if err := checkUnknownOperands(name, xs, shape, chunks); err != nil {
		return &Array{err: err}
	}
	var leaves []*Array
	var leafTr []bool
	type leafKey struct {
		a  *Array
		tr bool
	}
	leafIndex := map[leafKey]int{}
	addLeaf := func(a *Array, tr bool) int {
		if i, ok := leafIndex[leafKey{a, tr}]; ok {
			return i
		}
		for i, l := range leaves {
			if leafTr[i] == tr && len(l.keys) > 0 && len(a.keys) > 0 && l.keys[0] == a.keys[0] && len(l.keys) == len(a.keys) && chunksEq2(l.chunks, a.chunks) {
				leafIndex[leafKey{a, tr}] = i
				return i
			}
		}
		leafIndex[leafKey{a, tr}] = len(leaves)
		leaves = append(leaves, a)
		leafTr = append(leafTr, tr)
		return len(leaves) - 1
	}
	var remap func(n *node, m []int) *node
	remap = func(n *node, m []int) *node {
		c := *n
		if n.op == opLeaf {
			c.leaf = m[n.leaf]
			return &c
		}
		c.args = make([]*node, len(n.args))
		for i, a := range n.args {
			c.args[i] = remap(a, m)
		}
		return &c
	}
	args := make([]*node, len(xs))
	for i, a := range xs {
		if a.ew != nil && len(a.ew.leaves) == 0 {
			args[i] = a.ew.root
			continue
		}
		if a.ew != nil && chunksEq2(a.chunks, chunks) && len(a.shape) == nd {
			m := make([]int, len(a.ew.leaves))
			for j, l := range a.ew.leaves {
				m[j] = addLeaf(l, a.ew.tr != nil && a.ew.tr[j])
			}
			args[i] = remap(a.ew.root, m)
			continue
		}
		// A leaf: its chunks must match the output's on every spanned axis.
		off := nd - len(a.shape)
		want := make([][]int, len(a.shape))
		need := false
		for j := range a.shape {
			if a.shape[j] == shape[off+j] {
				want[j] = chunks[off+j]
			} else {
				want[j] = []int{a.shape[j]}
			}
			if !chunksEqual(want[j], a.chunks[j]) {
				need = true
			}
		}
		if need {
			a = a.Rechunk(Explicit(want))
			if a.err != nil {
				return a
			}
		}
		if t := a.trOf; t != nil && nd == 2 && len(a.shape) == 2 && a.shape[0] == shape[0] && a.shape[1] == shape[1] {
			args[i] = &node{op: opLeaf, leaf: addLeaf(t, true), dt: a.dtype}
			continue
		}
		args[i] = &node{op: opLeaf, leaf: addLeaf(a, false), dt: a.dtype}
	}
	root := &node{op: op, args: args}
	if op == opCast {
		root.dt = cast
	} else {
		root.dt = resultDType(op, args)
	}
	if root.op >= opNeg && allConst(root) {
		v := evalConst(root)
		root = &node{op: opConst, c: v, dt: root.dt}
	}
	label := name
	for _, a := range xs {
		if a.ew != nil && a.ew.label != "" && len(a.ew.leaves) > 0 {
			label = a.ew.label + "-" + name
			break
		}
	}
	if len(label) > 40 {
		label = label[len(label)-40:]
	}
	prog := compile(root, len(leaves))
	out := build(shape, chunks, root.dt, leaves, func(idx []int) (string, []byte, []graph.Key) {
		p := []byte{byte(root.dt)}
		p = appendInts(p, ewBlockShape(chunks, idx, shape, leaves))
		p = graph.AppendBytes(p, []byte(label))
		p = append(p, prog...)
		p = appendTrFlags(p, leafTr)
		deps := make([]graph.Key, len(leaves))
		for i, l := range leaves {
			if leafTr[i] {
				deps[i] = l.blockKey([]int{idx[1], idx[0]})
				continue
			}
			loff := nd - len(l.shape)
			li := make([]int, len(l.shape))
			for j := range li {
				if l.shape[j] == shape[loff+j] {
					li[j] = idx[loff+j]
				}
			}
			deps[i] = l.blockKey(li)
		}
		return "elemwise", p, deps
	})
	out.ew = &ewInfo{root: root, leaves: leaves, tr: leafTr, label: label}
	return out
}

func chunksEq2(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !chunksEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func allConst(n *node) bool {
	if n.op == opLeaf {
		return false
	}
	for _, a := range n.args {
		if !allConst(a) {
			return false
		}
	}
	return true
}

func evalConst(n *node) float64 {
	if n.op == opConst {
		return n.c
	}
	var in [3][]float64
	for i, a := range n.args {
		in[i] = []float64{evalConst(a)}
	}
	out := []float64{0}
	apply(n.op, n.dt, out, in[0], in[1], in[2], 0, 0, 0, 0)
	return out[0]
}

// Program encoding: number of registers, then instructions
// (op, dt, dst, nargs, then per arg: kind 0 reg + index | 1 const + f64),
// then the result register.
func compile(root *node, nleaves int) []byte {
	var p []byte
	nreg := nleaves
	var instrs []byte
	var emit func(n *node) (isConst bool, reg int, c float64)
	emit = func(n *node) (bool, int, float64) {
		switch n.op {
		case opLeaf:
			return false, n.leaf, 0
		case opConst:
			return true, 0, n.c
		}
		type arg struct {
			c   bool
			r   int
			val float64
		}
		args := make([]arg, len(n.args))
		for i, a := range n.args {
			args[i].c, args[i].r, args[i].val = emit(a)
		}
		dst := nreg
		nreg++
		instrs = append(instrs, n.op, byte(n.dt))
		instrs = appendUvarint(instrs, uint64(dst))
		instrs = append(instrs, byte(len(args)))
		for _, a := range args {
			if a.c {
				instrs = append(instrs, 1)
				instrs = appendF64(instrs, a.val)
			} else {
				instrs = append(instrs, 0)
				instrs = appendUvarint(instrs, uint64(a.r))
			}
		}
		return false, dst, 0
	}
	isC, r, c := emit(root)
	if isC {
		instrs = append(instrs, opFill, byte(root.dt))
		instrs = appendUvarint(instrs, uint64(nreg))
		instrs = append(instrs, 1, 1)
		instrs = appendF64(instrs, c)
		r = nreg
		nreg++
	}
	p = appendUvarint(p, uint64(nreg))
	p = graph.AppendBytes(p, instrs)
	p = appendUvarint(p, uint64(r))
	return p
}

type instr struct {
	op     uint8
	dt     DType
	dst    int
	nargs  int
	isC    [3]bool
	reg    [3]int
	c      [3]float64
	consts [3][]float64
	// Set by fuseAffineExp: an exp of src*fmul + fadd, and the
	// instructions it absorbed.
	affine     bool
	fmul, fadd float64
	dead       bool
}

const tile = 2048

func ewKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	e, err := parseEw(p)
	if err != nil {
		return nil, err
	}
	if e.shape, err = resolveEwShape(e.shape, in); err != nil {
		return nil, err
	}
	out := NewDense(e.dt, e.shape...)
	err = e.run(in, func(s int, t []float64) { out.storeF64(t, s) })
	return out, err
}

// ewProg is a decoded elementwise program: what the "elemwise" kernel and
// the fused elementwise reductions run.
type ewProg struct {
	dt    DType
	shape []int
	nreg  int
	res   int
	prog  []instr
	tr    []bool // inputs read transposed (2-d)
}

// appendTrFlags appends the transposed-leaf flags (nothing when none is
// set, so programs without them keep their encoding).
func appendTrFlags(p []byte, tr []bool) []byte {
	any := false
	for _, t := range tr {
		any = any || t
	}
	if !any {
		return p
	}
	p = appendUvarint(p, uint64(len(tr)))
	for _, t := range tr {
		if t {
			p = append(p, 1)
		} else {
			p = append(p, 0)
		}
	}
	return p
}

// parseEw decodes the parameters of an "elemwise" task.
func parseEw(p []byte) (*ewProg, error) {
	if len(p) < 1 {
		return nil, fmt.Errorf("elemwise: empty parameters")
	}
	e := &ewProg{dt: DType(p[0])}
	r := graph.NewReader(p[1:])
	e.shape = readInts(r)
	_ = r.Bytes()
	e.nreg = int(r.Uvarint())
	code := graph.NewReader(r.Bytes())
	e.res = int(r.Uvarint())
	if r.Err() != nil {
		return nil, r.Err()
	}
	if len(r.Rest()) > 0 {
		n := int(r.Uvarint())
		if r.Err() != nil || n > len(r.Rest()) {
			return nil, fmt.Errorf("elemwise: bad transposed-leaf flags")
		}
		e.tr = make([]bool, n)
		for i := range e.tr {
			e.tr[i] = r.Byte() == 1
		}
		if r.Err() != nil {
			return nil, r.Err()
		}
	}
	for len(code.Rest()) > 0 && code.Err() == nil {
		var in instr
		in.op = code.Byte()
		in.dt = DType(code.Byte())
		in.dst = int(code.Uvarint())
		in.nargs = int(code.Byte())
		for i := 0; i < in.nargs && i < 3; i++ {
			if code.Byte() == 1 {
				in.isC[i] = true
				in.c[i] = readF64(code)
			} else {
				in.reg[i] = int(code.Uvarint())
			}
		}
		if in.dst < 0 || in.dst >= e.nreg {
			return nil, fmt.Errorf("elemwise: register %d of %d", in.dst, e.nreg)
		}
		e.prog = append(e.prog, in)
	}
	if code.Err() != nil {
		return nil, code.Err()
	}
	if e.res < 0 || e.res >= e.nreg {
		return nil, fmt.Errorf("elemwise: result register %d of %d", e.res, e.nreg)
	}
	e.fuseAffineExp()
	return e, nil
}

// fuseAffineExp turns exp(x*c1 + c2) (and exp(x*c), exp(x ± c)) over
// float64 into one pass: the multiply and add feed the exp loop lane by
// lane, rounded as the separate operations would be.
func (e *ewProg) fuseAffineExp() {
	uses := make([]int, e.nreg)
	writer := make([]int, e.nreg)
	for i := range writer {
		writer[i] = -1
	}
	for i, in := range e.prog {
		for k := 0; k < in.nargs && k < 3; k++ {
			if !in.isC[k] && in.reg[k] >= 0 && in.reg[k] < e.nreg {
				uses[in.reg[k]]++
			}
		}
		writer[in.dst] = i
	}
	uses[e.res]++
	// peel returns the register and constant of a single-use float64
	// instruction of op reg (op) const.
	peel := func(reg int, op uint8) (int, float64, int, bool) {
		if reg < 0 || reg >= e.nreg || uses[reg] != 1 || writer[reg] < 0 {
			return 0, 0, 0, false
		}
		k := writer[reg]
		p := e.prog[k]
		if p.dead || p.affine || p.dt != Float64 || p.nargs != 2 {
			return 0, 0, 0, false
		}
		switch {
		case p.op == op && p.isC[1] && !p.isC[0]:
			return p.reg[0], p.c[1], k, true
		case p.op == op && p.isC[0] && !p.isC[1] && op != opSub:
			return p.reg[1], p.c[0], k, true
		}
		return 0, 0, 0, false
	}
	for i := range e.prog {
		in := &e.prog[i]
		if in.op != opExp || in.dt != Float64 || in.nargs != 1 || in.isC[0] {
			continue
		}
		src, mul, add := in.reg[0], 1.0, 0.0
		if r, c, k, ok := peel(src, opAdd); ok {
			src, add = r, c
			e.prog[k].dead = true
		} else if r, c, k, ok := peel(src, opSub); ok {
			src, add = r, -c
			e.prog[k].dead = true
		}
		if r, c, k, ok := peel(src, opMul); ok {
			src, mul = r, c
			e.prog[k].dead = true
		}
		in.affine, in.fmul, in.fadd, in.reg[0] = true, mul, add, src
	}
}

// run evaluates the program over the input blocks tile by tile and hands
// each result tile (rounded to the program's dtype, valid only during the
// call) with its flat offset to each.
func (e *ewProg) run(in []*Dense, each func(s int, tile []float64)) error {
	shape, err := resolveEwShape(e.shape, in)
	if err != nil {
		return err
	}
	n := prod(shape)
	regs := make([][]float64, e.nreg)
	bufs := make([][]float64, e.nreg)
	for i := range bufs {
		bufs[i] = make([]float64, min(tile, max(n, 1)))
	}
	// Leaves: direct views when float64 and of the output's shape, else
	// gathered (with broadcasting) per tile.
	direct := make([]bool, len(in))
	lstr := make([][]int, len(in))
	nd := len(shape)
	for i, d := range in {
		if i < len(e.tr) && e.tr[i] {
			if nd != 2 || len(d.Shape) != 2 || d.Shape[0] != shape[1] || d.Shape[1] != shape[0] {
				return fmt.Errorf("transposed block of shape %v for output block %v", d.Shape, shape)
			}
			lstr[i] = []int{d.Strides[1], d.Strides[0]}
			continue
		}
		if d.DType == Float64 && chunksEqual(d.Shape, shape) {
			direct[i] = true
			continue
		}
		st := make([]int, nd)
		off := nd - len(d.Shape)
		if off < 0 {
			return fmt.Errorf("block of shape %v does not broadcast to %v", d.Shape, shape)
		}
		for j := range d.Shape {
			if d.Shape[j] == shape[off+j] {
				st[off+j] = d.Strides[j]
			} else if d.Shape[j] != 1 {
				return fmt.Errorf("block of shape %v does not broadcast to %v", d.Shape, shape)
			}
		}
		lstr[i] = st
	}
	for s := 0; s < n; s += tile {
		m := min(tile, n-s)
		for i, d := range in {
			if direct[i] {
				regs[i] = d.Data[s : s+m]
			} else {
				regs[i] = bufs[i][:m]
				gather(regs[i], d, lstr[i], shape, s)
			}
		}
		for _, ins := range e.prog {
			if ins.dead {
				continue
			}
			dst := bufs[ins.dst][:m]
			if ins.affine {
				expAffine(dst, regs[ins.reg[0]], ins.fmul, ins.fadd)
				regs[ins.dst] = dst
				continue
			}
			var a [3][]float64
			for k := 0; k < ins.nargs; k++ {
				if !ins.isC[k] {
					a[k] = regs[ins.reg[k]]
				}
			}
			if ins.op == opWhere {
				// A constant arm of where is filled: it has no scalar kernel.
				for k := 0; k < 3; k++ {
					if ins.isC[k] {
						c := make([]float64, m)
						for j := range c {
							c[j] = ins.c[k]
						}
						a[k] = c
					}
				}
			}
			mode, cv := 0, 0.0
			if ins.nargs >= 2 {
				switch {
				case ins.isC[0]:
					mode, cv = 1, ins.c[0]
				case ins.isC[1]:
					mode, cv = 2, ins.c[1]
				}
			}
			if ins.op == opFill {
				cv = ins.c[0]
			}
			apply(ins.op, ins.dt, dst, a[0], a[1], a[2], mode, cv, 0, 0)
			regs[ins.dst] = dst
		}
		each(s, regs[e.res][:m])
	}
	return nil
}

// gather writes the elements of leaf d (strides st, 0 on broadcast axes, in
// the output's axes) for output flat positions [s, s+len(dst)).
func gather(dst []float64, d *Dense, st, shape []int, s int) {
	nd := len(shape)
	if nd == 0 {
		dst[0] = d.elem(0)
		return
	}
	idx := make([]int, nd)
	rem := s
	for i := nd - 1; i >= 0; i-- {
		idx[i] = rem % shape[i]
		rem /= shape[i]
	}
	row := shape[nd-1]
	for o := 0; o < len(dst); {
		off := 0
		for i := 0; i < nd; i++ {
			off += idx[i] * st[i]
		}
		run := min(row-idx[nd-1], len(dst)-o)
		switch s := st[nd-1]; {
		case s == 0:
			v := d.elem(off)
			for j := 0; j < run; j++ {
				dst[o+j] = v
			}
		case s == 1:
			d.loadF64(dst[o:o+run], off)
		case d.DType == Float64:
			// A transposed leaf: a column of the source block.
			src := d.Data[off : off+(run-1)*s+1]
			for j := range dst[o : o+run] {
				dst[o+j] = src[j*s]
			}
		default:
			for j := 0; j < run; j++ {
				dst[o+j] = d.elem(off + j*s)
			}
		}
		o += run
		idx[nd-1] = 0
		for i := nd - 2; i >= 0; i-- {
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// apply runs one instruction over a tile. mode 0: a and b are registers;
// 1: a is the constant cv; 2: b is the constant cv.
func apply(op uint8, dt DType, dst, a, b, c []float64, mode int, cv float64, _, _ int) {
	switch op {
	case opFill:
		for i := range dst {
			dst[i] = cv
		}
		castTile(dst, dt)
		return
	case opNeg:
		for i, v := range a {
			dst[i] = -v
		}
	case opExp:
		expSlice(dst, a)
	case opLog:
		for i, v := range a {
			dst[i] = math.Log(v)
		}
	case opSqrt:
		for i, v := range a {
			dst[i] = math.Sqrt(v)
		}
	case opAbs:
		for i, v := range a {
			dst[i] = math.Abs(v)
		}
	case opSin:
		for i, v := range a {
			dst[i] = math.Sin(v)
		}
	case opCos:
		for i, v := range a {
			dst[i] = math.Cos(v)
		}
	case opTanh:
		for i, v := range a {
			dst[i] = math.Tanh(v)
		}
	case opFloor:
		for i, v := range a {
			dst[i] = math.Floor(v)
		}
	case opCeil:
		for i, v := range a {
			dst[i] = math.Ceil(v)
		}
	case opNot:
		for i, v := range a {
			dst[i] = b2f(v == 0)
		}
	case opIsNaN:
		for i, v := range a {
			dst[i] = b2f(v != v)
		}
	case opCast:
		copy(dst, a)
	case opWhere:
		for i, v := range a {
			if v != 0 {
				dst[i] = b[i]
			} else {
				dst[i] = c[i]
			}
		}
	default:
		binaryOp(op, dst, a, b, mode, cv)
	}
	castTile(dst, dt)
}

// castTile rounds a tile to what dtype dt can hold, so that intermediate
// results behave like stored ones.
func castTile(x []float64, dt DType) {
	switch dt {
	case Float32:
		for i, v := range x {
			x[i] = float64(float32(v))
		}
	case Int64:
		for i, v := range x {
			x[i] = float64(int64(v))
		}
	case Bool:
		for i, v := range x {
			x[i] = b2f(v != 0)
		}
	}
}

func binaryOp(op uint8, dst, a, b []float64, mode int, cv float64) {
	f := binFuncs[op]
	switch mode {
	case 0:
		switch op { // the common ones as tight loops
		case opAdd:
			for i := range dst {
				dst[i] = a[i] + b[i]
			}
		case opSub:
			for i := range dst {
				dst[i] = a[i] - b[i]
			}
		case opMul:
			for i := range dst {
				dst[i] = a[i] * b[i]
			}
		case opDiv:
			for i := range dst {
				dst[i] = a[i] / b[i]
			}
		default:
			for i := range dst {
				dst[i] = f(a[i], b[i])
			}
		}
	case 1:
		for i := range dst {
			dst[i] = f(cv, b[i])
		}
	case 2:
		switch op {
		case opAdd:
			for i, v := range a {
				dst[i] = v + cv
			}
		case opSub:
			for i, v := range a {
				dst[i] = v - cv
			}
		case opMul:
			for i, v := range a {
				dst[i] = v * cv
			}
		case opDiv:
			for i, v := range a {
				dst[i] = v / cv
			}
		default:
			for i, v := range a {
				dst[i] = f(v, cv)
			}
		}
	}
}

var binFuncs = map[uint8]func(x, y float64) float64{
	opAdd: func(x, y float64) float64 { return x + y },
	opSub: func(x, y float64) float64 { return x - y },
	opMul: func(x, y float64) float64 { return x * y },
	opDiv: func(x, y float64) float64 { return x / y },
	opPow: math.Pow,
	opMax: func(x, y float64) float64 {
		if x != x || y != y {
			return math.NaN()
		}
		return math.Max(x, y)
	},
	opMin: func(x, y float64) float64 {
		if x != x || y != y {
			return math.NaN()
		}
		return math.Min(x, y)
	},
	opLt:  func(x, y float64) float64 { return b2f(x < y) },
	opLe:  func(x, y float64) float64 { return b2f(x <= y) },
	opGt:  func(x, y float64) float64 { return b2f(x > y) },
	opGe:  func(x, y float64) float64 { return b2f(x >= y) },
	opEq:  func(x, y float64) float64 { return b2f(x == y) },
	opNe:  func(x, y float64) float64 { return b2f(x != y) },
	opAnd: func(x, y float64) float64 { return b2f(x != 0 && y != 0) },
	opOr:  func(x, y float64) float64 { return b2f(x != 0 || y != 0) },
	opXor: func(x, y float64) float64 { return b2f((x != 0) != (y != 0)) },
}

// Add returns a + b, elementwise with broadcasting.
func (a *Array) Add(b *Array) *Array { return elemwise("add", opAdd, 0, a, b) }

// Sub returns a - b.
func (a *Array) Sub(b *Array) *Array { return elemwise("sub", opSub, 0, a, b) }

// Mul returns a * b.
func (a *Array) Mul(b *Array) *Array { return elemwise("mul", opMul, 0, a, b) }

// Div returns a / b (true division: float for integer inputs).
func (a *Array) Div(b *Array) *Array { return elemwise("div", opDiv, 0, a, b) }

// Pow returns a ** b.
func (a *Array) Pow(b *Array) *Array { return elemwise("pow", opPow, 0, a, b) }

// Maximum returns the elementwise maximum (NaN if either is NaN).
func (a *Array) Maximum(b *Array) *Array { return elemwise("maximum", opMax, 0, a, b) }

// Minimum returns the elementwise minimum (NaN if either is NaN).
func (a *Array) Minimum(b *Array) *Array { return elemwise("minimum", opMin, 0, a, b) }

// AddScalar returns a + c.
func (a *Array) AddScalar(c float64) *Array { return a.Add(Scalar(c)) }

// SubScalar returns a - c.
func (a *Array) SubScalar(c float64) *Array { return a.Sub(Scalar(c)) }

// MulScalar returns a * c.
func (a *Array) MulScalar(c float64) *Array { return a.Mul(Scalar(c)) }

// DivScalar returns a / c.
func (a *Array) DivScalar(c float64) *Array { return a.Div(Scalar(c)) }

// PowScalar returns a ** c.
func (a *Array) PowScalar(c float64) *Array { return a.Pow(Scalar(c)) }

// Neg returns -a.
func (a *Array) Neg() *Array { return elemwise("neg", opNeg, 0, a) }

// Lt returns a < b as a bool array.
func (a *Array) Lt(b *Array) *Array { return elemwise("lt", opLt, 0, a, b) }

// Le returns a <= b.
func (a *Array) Le(b *Array) *Array { return elemwise("le", opLe, 0, a, b) }

// Gt returns a > b.
func (a *Array) Gt(b *Array) *Array { return elemwise("gt", opGt, 0, a, b) }

// Ge returns a >= b.
func (a *Array) Ge(b *Array) *Array { return elemwise("ge", opGe, 0, a, b) }

// Eq returns a == b.
func (a *Array) Eq(b *Array) *Array { return elemwise("eq", opEq, 0, a, b) }

// Ne returns a != b.
func (a *Array) Ne(b *Array) *Array { return elemwise("ne", opNe, 0, a, b) }

// And returns the logical a && b (non-zero is true).
func (a *Array) And(b *Array) *Array { return elemwise("and", opAnd, 0, a, b) }

// Or returns the logical a || b.
func (a *Array) Or(b *Array) *Array { return elemwise("or", opOr, 0, a, b) }

// Xor returns the logical a != b.
func (a *Array) Xor(b *Array) *Array { return elemwise("xor", opXor, 0, a, b) }

// Not returns the logical negation of a.
func (a *Array) Not() *Array { return elemwise("not", opNot, 0, a) }

// IsNaN returns a bool array, true where a is NaN.
func (a *Array) IsNaN() *Array { return elemwise("isnan", opIsNaN, 0, a) }

// AsType converts the elements to dt (float to int truncates toward zero,
// non-zero is true).
func (a *Array) AsType(dt DType) *Array {
	if !dt.valid() {
		return errArray("AsType: invalid dtype %d", dt)
	}
	return elemwise("astype", opCast, dt, a)
}

// Clip limits the elements to [lo, hi].
func (a *Array) Clip(lo, hi float64) *Array {
	if lo > hi {
		return errArray("Clip: lower bound %g above upper bound %g", lo, hi)
	}
	return a.Maximum(Scalar(lo)).Minimum(Scalar(hi))
}

// Exp returns e**a elementwise.
func Exp(a *Array) *Array { return elemwise("exp", opExp, 0, a) }

// Log returns the natural logarithm.
func Log(a *Array) *Array { return elemwise("log", opLog, 0, a) }

// Sqrt returns the square root.
func Sqrt(a *Array) *Array { return elemwise("sqrt", opSqrt, 0, a) }

// Abs returns the absolute value.
func Abs(a *Array) *Array { return elemwise("abs", opAbs, 0, a) }

// Sin returns the sine.
func Sin(a *Array) *Array { return elemwise("sin", opSin, 0, a) }

// Cos returns the cosine.
func Cos(a *Array) *Array { return elemwise("cos", opCos, 0, a) }

// Tanh returns the hyperbolic tangent.
func Tanh(a *Array) *Array { return elemwise("tanh", opTanh, 0, a) }

// Floor rounds down.
func Floor(a *Array) *Array { return elemwise("floor", opFloor, 0, a) }

// Ceil rounds up.
func Ceil(a *Array) *Array { return elemwise("ceil", opCeil, 0, a) }

// Pow returns a ** b elementwise.
func Pow(a, b *Array) *Array { return a.Pow(b) }

// Where returns x where cond is true (non-zero) and y elsewhere, with
// broadcasting of all three.
func Where(cond, x, y *Array) *Array { return elemwise("where", opWhere, 0, cond, x, y) }
