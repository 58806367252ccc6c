package array

import (
	"context"
	"fmt"
	"math"
	"slices"

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
	opTan
	opArcsin
	opArccos
	opArctan
	opSinh
	opCosh
	opArcsinh
	opArccosh
	opArctanh
	opLog1p
	opLog10
	opLog2
	opExpm1
	opIsInf
	opIsFinite
	opSign
	opIsIn
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
	opMod
	opFloorDiv
	opArctan2
	opRound
	// ternary
	opWhere
	opFill
)

var opNames = map[uint8]string{opNeg: "neg", opExp: "exp", opLog: "log", opSqrt: "sqrt", opAbs: "abs",
	opSin: "sin", opCos: "cos", opTanh: "tanh", opNot: "not", opFloor: "floor", opCeil: "ceil", opIsNaN: "isnan",
	opCast: "astype", opAdd: "add", opSub: "sub", opMul: "mul", opDiv: "div", opPow: "pow", opMax: "maximum",
	opMin: "minimum", opLt: "lt", opLe: "le", opGt: "gt", opGe: "ge", opEq: "eq", opNe: "ne", opAnd: "and",
	opOr: "or", opXor: "xor", opWhere: "where", opTan: "tan", opArcsin: "arcsin", opArccos: "arccos",
	opArctan: "arctan", opSinh: "sinh", opCosh: "cosh", opArcsinh: "arcsinh", opArccosh: "arccosh",
	opArctanh: "arctanh", opLog1p: "log1p", opLog10: "log10", opLog2: "log2", opExpm1: "expm1",
	opIsInf: "isinf", opIsFinite: "isfinite", opSign: "sign", opIsIn: "isin", opMod: "mod",
	opFloorDiv: "floor_divide", opArctan2: "arctan2", opRound: "round"}

type node struct {
	op   uint8
	leaf int
	c    float64
	ci   int64 // the value of an int64 constant (c holds it rounded)
	dt   DType
	weak bool // a scalar constant: takes the other operand's dtype kind
	args []*node
	// set is the sorted value set of an opIsIn (int64 when the test runs
	// in int64, float64 otherwise).
	set *Dense
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
// elementwise operation it is folded into the expression as a constant
// that behaves like a Python float in NumPy: it takes the kind of the other
// operand when that is a float array (float32 stays float32) and makes an
// int64 or bool array's result float64 (see ScalarInt for a Python int).
func Scalar(v float64) *Array {
	a := Full(nil, v, Float64, nil)
	a.ew = &ewInfo{root: &node{op: opConst, c: v, dt: Float64, weak: true}}
	return a
}

// ScalarInt returns a 0-d int64 array holding v exactly. As an operand of
// an elementwise operation it behaves like a Python int in NumPy: an int64
// array stays int64 (computed exactly), a bool array becomes int64, a float
// array keeps its dtype.
func ScalarInt(v int64) *Array {
	d := NewDense(Int64)
	d.I64[0] = v
	a := FromDense(d, nil)
	a.ew = &ewInfo{root: &node{op: opConst, c: float64(v), ci: v, dt: Int64, weak: true}}
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

// floatOf is the dtype a float-valued function (exp, log, floor, ...) of a
// dtype returns: float32 stays float32, bool gives float32 (NumPy gives
// float16, which godask does not have), int64 and float64 give float64.
func floatOf(d DType) DType {
	if d == Float32 || d == Bool {
		return Float32
	}
	return Float64
}

func resultDType(op uint8, args []*node) DType {
	switch op {
	case opLt, opLe, opGt, opGe, opEq, opNe, opAnd, opOr, opXor, opNot, opIsNaN, opIsInf, opIsFinite, opIsIn:
		return Bool
	case opWhere:
		return joinDType(args[1], args[2])
	case opExp, opLog, opSqrt, opSin, opCos, opTanh, opTan, opArcsin, opArccos, opArctan, opSinh, opCosh,
		opArcsinh, opArccosh, opArctanh, opLog1p, opLog10, opLog2, opExpm1, opFloor, opCeil:
		return floatOf(args[0].dt)
	case opArctan2:
		return floatOf(joinDType(args[0], args[1]))
	case opDiv:
		if d := joinDType(args[0], args[1]); d == Float32 {
			return Float32
		}
		return Float64
	case opNeg, opAbs, opSign:
		return args[0].dt
	case opRound:
		if args[0].dt == Bool {
			return Float32
		}
		return args[0].dt
	}
	d := joinDType(args[0], args[1])
	if d == Bool && (op == opSub || op == opPow || op == opMod || op == opFloorDiv) {
		return Int64 // NumPy gives int8 (sub is refused before this)
	}
	return d // bool+bool is logical or and bool*bool logical and, as NumPy's
}

// computeDType is the dtype an instruction computes in: the promoted
// operand dtype for comparisons and isin, the source for a cast, float64
// for the logical and classification ops, the result dtype otherwise.
func computeDType(n *node) DType {
	op, dt, args := n.op, n.dt, n.args
	switch op {
	case opLt, opLe, opGt, opGe, opEq, opNe:
		return joinDType(args[0], args[1])
	case opIsIn:
		if args[0].dt == Int64 && n.set != nil && n.set.DType == Int64 {
			return Int64
		}
		return Float64
	case opCast:
		return args[0].dt
	case opAnd, opOr, opXor, opNot, opIsNaN, opIsInf, opIsFinite:
		return Float64
	}
	return dt
}

// refused returns the error NumPy raises for op on these operand dtypes.
func refused(name string, op uint8, args []*node) error {
	allBool := true
	for _, a := range args {
		allBool = allBool && a.dt == Bool
	}
	switch {
	case op == opSub && allBool:
		return fmt.Errorf("array: %s: subtracting bool arrays is not supported (as in NumPy); use Xor", name)
	case op == opNeg && allBool:
		return fmt.Errorf("array: %s: negating a bool array is not supported (as in NumPy); use Not", name)
	case op == opSign && allBool:
		return fmt.Errorf("array: %s: sign of a bool array is not supported (as in NumPy)", name)
	}
	return nil
}

// joinDType promotes two operand dtypes; a weak (Python) scalar adapts to
// the other: a float array keeps its dtype, an int64 or bool array takes the
// scalar's kind where it is higher (int64 + float scalar is float64, bool +
// int scalar int64).
func joinDType(a, b *node) DType {
	if a.weak && !b.weak {
		a, b = b, a
	}
	if b.weak && !a.weak && (a.dt == Float64 || a.dt == Float32) {
		return a.dt
	}
	return promote(a.dt, b.dt)
}

// elemwise builds the array of op applied to the operands, with NumPy
// broadcasting, inlining elementwise operands over the same chunks.
func elemwise(name string, op uint8, cast DType, xs ...*Array) *Array {
	return elemwiseSet(name, op, cast, nil, xs...)
}

// elemwiseSet is elemwise with the value set of an isin.
func elemwiseSet(name string, op uint8, cast DType, set *Dense, xs ...*Array) *Array {
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
	root := &node{op: op, args: args, set: set}
	if op == opCast {
		root.dt = cast
	} else {
		root.dt = resultDType(op, args)
	}
	if err := refused(name, op, args); err != nil {
		return &Array{err: err}
	}
	if root.op >= opNeg && allConst(root) {
		c, err := evalConst(root)
		if err != nil {
			return &Array{err: fmt.Errorf("array: %s of constants: %w", name, err)}
		}
		weak := true
		for _, a := range args {
			weak = weak && a.weak
		}
		c.weak = weak
		root = c
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

// evalConst folds an expression of constants by running its program on
// no inputs, with the same kernels as the blocks.
func evalConst(n *node) (*node, error) {
	p := []byte{byte(n.dt)}
	p = appendInts(p, nil)
	p = graph.AppendBytes(p, nil)
	p = append(p, compile(n, 0)...)
	e, err := parseEw(p)
	if err != nil {
		return nil, err
	}
	c := &node{op: opConst, dt: n.dt}
	err = e.runTyped(nil, func(_ int, f []float64, iv []int64) {
		if iv != nil {
			c.ci, c.c = iv[0], float64(iv[0])
			if n.dt != Int64 {
				c.ci = 0
			}
			return
		}
		c.c = f[0]
		if n.dt == Int64 {
			c.ci = satInt(f[0])
		}
	})
	return c, err
}

// Program encoding: number of registers, then instructions (op, result
// dtype, compute dtype, dst, nargs, then per arg: kind 0 reg + index |
// 1 float constant + f64 | 2 int64 constant + varint; an isin then carries
// its sorted value set), then the result register.
func compile(root *node, nleaves int) []byte {
	var p []byte
	nreg := nleaves
	var instrs []byte
	appendConst := func(b []byte, n *node) []byte {
		if n.dt == Int64 {
			b = append(b, 2)
			return appendVarint(b, n.ci)
		}
		b = append(b, 1)
		return appendF64(b, n.c)
	}
	var emit func(n *node) int
	emit = func(n *node) int {
		if n.op == opLeaf {
			return n.leaf
		}
		regs := make([]int, len(n.args))
		for i, a := range n.args {
			if a.op != opConst {
				regs[i] = emit(a)
			}
		}
		dst := nreg
		nreg++
		instrs = append(instrs, n.op, byte(n.dt), byte(computeDType(n)))
		instrs = appendUvarint(instrs, uint64(dst))
		instrs = append(instrs, byte(len(n.args)))
		for i, a := range n.args {
			if a.op == opConst {
				instrs = appendConst(instrs, a)
			} else {
				instrs = append(instrs, 0)
				instrs = appendUvarint(instrs, uint64(regs[i]))
			}
		}
		if n.op == opIsIn {
			instrs = appendSet(instrs, n.set)
		}
		return dst
	}
	var r int
	if root.op == opConst {
		instrs = append(instrs, opFill, byte(root.dt), byte(root.dt))
		instrs = appendUvarint(instrs, uint64(nreg))
		instrs = append(instrs, 1)
		instrs = appendConst(instrs, root)
		r = nreg
		nreg++
	} else {
		r = emit(root)
	}
	p = appendUvarint(p, uint64(nreg))
	p = graph.AppendBytes(p, instrs)
	p = appendUvarint(p, uint64(r))
	return p
}

type instr struct {
	op     uint8
	dt     DType // the result's
	cdt    DType // the dtype the operation computes in
	dst    int
	nargs  int
	isC    [3]bool
	reg    [3]int
	c      [3]float64
	ci     [3]int64
	consts [3][]float64
	// setF/setI: the sorted value set of an isin.
	setF []float64
	setI []int64
	// Set by fuseAffineExp: an exp of src*fmul + fadd, and the
	// instructions it absorbed.
	affine     bool
	fmul, fadd float64
	dead       bool
}

const tile = 2048

func ewKernel(ctx context.Context, p []byte, in []*Dense) (*Dense, error) {
	e, err := parseEw(p)
	if err != nil {
		return nil, err
	}
	if e.shape, err = resolveEwShape(e.shape, in); err != nil {
		return nil, err
	}
	out := outDense(ctx, e.dt, e.shape...)
	err = e.runTyped(in, func(s int, f []float64, iv []int64) {
		if iv == nil {
			out.storeF64(f, s)
		} else if out.DType == Int64 {
			copy(out.I64[s:], iv)
		} else {
			out.storeI64(iv, s)
		}
	})
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
		in.cdt = DType(code.Byte())
		in.dst = int(code.Uvarint())
		in.nargs = int(code.Byte())
		if in.nargs > 3 || !in.dt.valid() || !in.cdt.valid() {
			return nil, fmt.Errorf("elemwise: bad instruction (op %d, %d args)", in.op, in.nargs)
		}
		for i := 0; i < in.nargs; i++ {
			switch code.Byte() {
			case 1:
				in.isC[i] = true
				in.c[i] = readF64(code)
				in.ci[i] = satInt(in.c[i])
			case 2:
				in.isC[i] = true
				in.ci[i] = code.Varint()
				in.c[i] = float64(in.ci[i])
			default:
				in.reg[i] = int(code.Uvarint())
				if in.reg[i] < 0 || in.reg[i] >= e.nreg {
					return nil, fmt.Errorf("elemwise: argument register %d of %d", in.reg[i], e.nreg)
				}
			}
		}
		if in.op == opIsIn {
			in.setF, in.setI = readSet(code, in.cdt)
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
// each result tile as float64 (rounded to the program's dtype, valid only
// during the call) with its flat offset to each. An int64 result is
// converted; runTyped hands it over exactly.
func (e *ewProg) run(in []*Dense, each func(s int, tile []float64)) error {
	var conv []float64
	return e.runTyped(in, func(s int, f []float64, iv []int64) {
		if iv == nil {
			each(s, f)
			return
		}
		conv = conv[:0]
		for _, v := range iv {
			conv = append(conv, float64(v))
		}
		each(s, conv)
	})
}

// runTyped evaluates the program over the input blocks tile by tile. Each
// register holds float64 lanes (float64, float32 rounded, bool as 0/1) or,
// for int64 values, int64 lanes, and an instruction whose compute dtype is
// int64 runs an exact int64 kernel. each gets the result tile as f, or as
// iv when the result is int64 (valid only during the call).
func (e *ewProg) runTyped(in []*Dense, each func(s int, f []float64, iv []int64)) error {
	shape, err := resolveEwShape(e.shape, in)
	if err != nil {
		return err
	}
	if len(in) > e.nreg {
		return fmt.Errorf("elemwise: %d inputs for %d registers", len(in), e.nreg)
	}
	n := prod(shape)
	tl := min(tile, max(n, 1))
	isInt := make([]bool, e.nreg)
	for i, d := range in {
		isInt[i] = d.DType == Int64
	}
	for _, ins := range e.prog {
		if ins.dst < len(in) {
			return fmt.Errorf("elemwise: instruction writes input register %d", ins.dst)
		}
		isInt[ins.dst] = ins.dt == Int64 && !ins.dead
	}
	regF := make([][]float64, e.nreg)
	regI := make([][]int64, e.nreg)
	bufF := make([][]float64, e.nreg)
	bufI := make([][]int64, e.nreg)
	for i := range isInt {
		if isInt[i] {
			bufI[i] = make([]int64, tl)
		} else {
			bufF[i] = make([]float64, tl)
		}
	}
	// Scratch for operands converted to the instruction's compute kind, and
	// constants spread over a tile for the int64 kernels.
	var convF [3][]float64
	var convI [3][]int64
	for k := range convF {
		convF[k] = make([]float64, tl)
		convI[k] = make([]int64, tl)
	}
	constI := make([][3][]int64, len(e.prog))
	constF := make([][3][]float64, len(e.prog))
	for j, ins := range e.prog {
		for k := 0; k < ins.nargs; k++ {
			if !ins.isC[k] {
				continue
			}
			ci := make([]int64, tl)
			cf := make([]float64, tl)
			for x := range ci {
				ci[x], cf[x] = ins.ci[k], ins.c[k]
			}
			constI[j][k], constF[j][k] = ci, cf
		}
	}
	// Leaves: direct views when of the output's shape (float64 and int64),
	// else gathered (with broadcasting) per tile.
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
		if (d.DType == Float64 || d.DType == Int64) && chunksEqual(d.Shape, shape) {
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
	// asF and asI return argument k of ins over the tile in the wanted kind.
	var m int
	asF := func(ins *instr, k int) []float64 {
		r := ins.reg[k]
		if !isInt[r] {
			return regF[r]
		}
		c := convF[k][:m]
		for x, v := range regI[r] {
			c[x] = float64(v)
		}
		return c
	}
	asI := func(ins *instr, k int) []int64 {
		r := ins.reg[k]
		if isInt[r] {
			return regI[r]
		}
		c := convI[k][:m]
		for x, v := range regF[r] {
			c[x] = satInt(v)
		}
		return c
	}
	for s := 0; s < n; s += tile {
		m = min(tile, n-s)
		for i, d := range in {
			switch {
			case isInt[i] && direct[i]:
				regI[i] = d.I64[s : s+m]
			case isInt[i]:
				regI[i] = bufI[i][:m]
				gatherRaw(regI[i], d.I64, lstr[i], shape, s)
			case direct[i]:
				regF[i] = d.Data[s : s+m]
			default:
				regF[i] = bufF[i][:m]
				gather(regF[i], d, lstr[i], shape, s)
			}
		}
		for j := range e.prog {
			ins := &e.prog[j]
			if ins.dead {
				continue
			}
			if ins.affine {
				dst := bufF[ins.dst][:m]
				expAffine(dst, asF(ins, 0), ins.fmul, ins.fadd)
				regF[ins.dst] = dst
				continue
			}
			if ins.cdt == Int64 && (ins.op != opCast || ins.dt == Int64) {
				var a [3][]int64
				for k := 0; k < ins.nargs; k++ {
					if ins.isC[k] {
						a[k] = constI[j][k][:m]
					} else {
						a[k] = asI(ins, k)
					}
				}
				var cond []float64
				if ins.op == opWhere && !ins.isC[0] && !isInt[ins.reg[0]] {
					cond = regF[ins.reg[0]] // truthiness of a float or bool condition
				}
				var dF []float64
				var dI []int64
				if isInt[ins.dst] {
					dI = bufI[ins.dst][:m]
					regI[ins.dst] = dI
				} else {
					dF = bufF[ins.dst][:m]
					regF[ins.dst] = dF
				}
				if err := applyInt(ins, dI, dF, a[0], a[1], a[2], cond); err != nil {
					return err
				}
				continue
			}
			var a [3][]float64
			for k := 0; k < ins.nargs; k++ {
				if ins.isC[k] {
					a[k] = constF[j][k][:m] // where has no scalar kernel
				} else {
					a[k] = asF(ins, k)
				}
			}
			mode, cv := 0, 0.0
			if ins.nargs == 2 && ins.isC[0] != ins.isC[1] {
				switch {
				case ins.isC[0]:
					mode, cv = 1, ins.c[0]
				case ins.isC[1]:
					mode, cv = 2, ins.c[1]
				}
			}
			if ins.op == opFill || ins.op == opRound {
				cv = ins.c[0]
				if ins.op == opRound {
					cv = ins.c[1]
				}
			}
			if isInt[ins.dst] {
				// A float computation stored as int64: a cast.
				dI := bufI[ins.dst][:m]
				if ins.op == opFill {
					for x := range dI {
						dI[x] = ins.ci[0]
					}
				} else {
					for x, v := range a[0] {
						dI[x] = satInt(v)
					}
				}
				regI[ins.dst] = dI
				continue
			}
			dst := bufF[ins.dst][:m]
			if ins.op == opIsIn {
				isInF(dst, a[0], ins.setF)
			} else {
				apply(ins.op, ins.dt, dst, a[0], a[1], a[2], mode, cv, 0, 0)
			}
			regF[ins.dst] = dst
		}
		if isInt[e.res] {
			each(s, nil, regI[e.res][:m])
		} else {
			each(s, regF[e.res][:m], nil)
		}
	}
	return nil
}

// gather writes the elements of leaf d (strides st, 0 on broadcast axes, in
// the output's axes) for output flat positions [s, s+len(dst)).
func gather(dst []float64, d *Dense, st, shape []int, s int) {
	if len(shape) == 0 {
		dst[0] = d.elem(0)
		return
	}
	forRuns(len(dst), st, shape, s, func(o, off, run, s int) {
		switch {
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
	})
}

// forRuns walks output flat positions [s, s+n) of an N-d (N >= 1) output
// of the given shape as runs along its last axis, handing each run's
// output offset o, source offset off (through strides st), length and
// source stride along the last axis.
func forRuns(n int, st, shape []int, s int, each func(o, off, run, stride int)) {
	nd := len(shape)
	idx := make([]int, nd)
	rem := s
	for i := nd - 1; i >= 0; i-- {
		idx[i] = rem % shape[i]
		rem /= shape[i]
	}
	row := shape[nd-1]
	for o := 0; o < n; {
		off := 0
		for i := 0; i < nd; i++ {
			off += idx[i] * st[i]
		}
		run := min(row-idx[nd-1], n-o)
		each(o, off, run, st[nd-1])
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
			dst[i] = logF(v)
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
	case opRound:
		roundTile(dst, a, int(cv), dt)
		return
	case opTan, opArcsin, opArccos, opArctan, opSinh, opCosh, opArcsinh, opArccosh, opArctanh,
		opLog1p, opLog10, opLog2, opExpm1, opIsInf, opIsFinite, opSign:
		f := unaryFuncs[op]
		for i, v := range a {
			dst[i] = f(v)
		}
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
	opLt:       func(x, y float64) float64 { return b2f(x < y) },
	opLe:       func(x, y float64) float64 { return b2f(x <= y) },
	opGt:       func(x, y float64) float64 { return b2f(x > y) },
	opGe:       func(x, y float64) float64 { return b2f(x >= y) },
	opEq:       func(x, y float64) float64 { return b2f(x == y) },
	opNe:       func(x, y float64) float64 { return b2f(x != y) },
	opAnd:      func(x, y float64) float64 { return b2f(x != 0 && y != 0) },
	opOr:       func(x, y float64) float64 { return b2f(x != 0 || y != 0) },
	opXor:      func(x, y float64) float64 { return b2f((x != 0) != (y != 0)) },
	opMod:      modF,
	opFloorDiv: floorDivF,
	opArctan2:  math.Atan2,
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

// Clip limits the elements to [lo, hi] (NaN stays NaN). On an int64 or
// bool array with integral bounds (±Inf included) the bounds act as Python
// ints, as np.clip(a, int(lo), int(hi)): the result keeps the array's
// integer dtype and is exact. Other bounds make it float64, as NumPy's
// float bounds do. See ClipArray for array bounds.
func (a *Array) Clip(lo, hi float64) *Array {
	if lo > hi {
		return errArray("Clip: lower bound %g above upper bound %g", lo, hi)
	}
	if a.err == nil && (a.dtype == Int64 || a.dtype == Bool) && isIntegral(lo) && isIntegral(hi) {
		if a.dtype == Bool {
			a = a.AsType(Int64)
		}
		return a.Maximum(ScalarInt(satBound(lo))).Minimum(ScalarInt(satBound(hi)))
	}
	return a.Maximum(Scalar(lo)).Minimum(Scalar(hi))
}

func isIntegral(v float64) bool { return v == math.Trunc(v) }

// satBound converts an integral bound to int64, saturating (±Inf included).
func satBound(v float64) int64 {
	switch {
	case v >= 0x1p63:
		return math.MaxInt64
	case v <= -0x1p63:
		return math.MinInt64
	}
	return int64(v)
}

// ClipArray limits the elements to [lo, hi] given as arrays that broadcast
// against a (np.clip(a, lo, hi)): Minimum(Maximum(a, lo), hi), so where
// lo > hi the result is hi, and NaN anywhere gives NaN. A nil bound is
// left out. The dtype follows the promotion table.
func (a *Array) ClipArray(lo, hi *Array) *Array {
	out := a
	if lo != nil {
		out = out.Maximum(lo)
	}
	if hi != nil {
		out = out.Minimum(hi)
	}
	return out
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

// Tan returns the tangent.
func Tan(a *Array) *Array { return elemwise("tan", opTan, 0, a) }

// Arcsin returns the inverse sine (NaN outside [-1, 1]).
func Arcsin(a *Array) *Array { return elemwise("arcsin", opArcsin, 0, a) }

// Arccos returns the inverse cosine (NaN outside [-1, 1]).
func Arccos(a *Array) *Array { return elemwise("arccos", opArccos, 0, a) }

// Arctan returns the inverse tangent.
func Arctan(a *Array) *Array { return elemwise("arctan", opArctan, 0, a) }

// Arctan2 returns the angle of the point (x, y) elementwise: np.arctan2(y, x).
func Arctan2(y, x *Array) *Array { return elemwise("arctan2", opArctan2, 0, y, x) }

// Sinh returns the hyperbolic sine.
func Sinh(a *Array) *Array { return elemwise("sinh", opSinh, 0, a) }

// Cosh returns the hyperbolic cosine.
func Cosh(a *Array) *Array { return elemwise("cosh", opCosh, 0, a) }

// Arcsinh returns the inverse hyperbolic sine.
func Arcsinh(a *Array) *Array { return elemwise("arcsinh", opArcsinh, 0, a) }

// Arccosh returns the inverse hyperbolic cosine (NaN below 1).
func Arccosh(a *Array) *Array { return elemwise("arccosh", opArccosh, 0, a) }

// Arctanh returns the inverse hyperbolic tangent (±Inf at ±1, NaN beyond).
func Arctanh(a *Array) *Array { return elemwise("arctanh", opArctanh, 0, a) }

// Log1p returns log(1 + a), accurate for small a.
func Log1p(a *Array) *Array { return elemwise("log1p", opLog1p, 0, a) }

// Log10 returns the base-10 logarithm.
func Log10(a *Array) *Array { return elemwise("log10", opLog10, 0, a) }

// Log2 returns the base-2 logarithm.
func Log2(a *Array) *Array { return elemwise("log2", opLog2, 0, a) }

// Expm1 returns exp(a) - 1, accurate for small a.
func Expm1(a *Array) *Array { return elemwise("expm1", opExpm1, 0, a) }

// IsInf returns a bool array, true where a is +Inf or -Inf.
func (a *Array) IsInf() *Array { return elemwise("isinf", opIsInf, 0, a) }

// IsFinite returns a bool array, true where a is neither infinite nor NaN.
func (a *Array) IsFinite() *Array { return elemwise("isfinite", opIsFinite, 0, a) }

// Sign returns -1, 0 or 1 by the sign of each element (NaN stays NaN), in
// a's dtype; a bool array is refused, as in NumPy.
func Sign(a *Array) *Array { return elemwise("sign", opSign, 0, a) }

// Round rounds to the given number of decimals, halves to even, as
// np.round: for floats rint(a * 10**decimals) / 10**decimals (so the
// result is the nearest float to the decimal, not always exactly it); for
// int64 a non-negative decimals leave a unchanged and negative ones round
// to a multiple of 10**-decimals exactly (NumPy goes through float64
// there). A bool array gives float32 (NumPy: float16).
func Round(a *Array, decimals int) *Array {
	return elemwise("round", opRound, 0, a, ScalarInt(int64(decimals)))
}

// Mod returns the remainder of a / b with the sign of b, as np.mod (and
// Python's %): a - FloorDivide(a, b)*b. An int64 zero divisor gives 0; a
// float one NaN, as NumPy's.
func (a *Array) Mod(b *Array) *Array { return elemwise("mod", opMod, 0, a, b) }

// FloorDivide returns the floor of a / b, as np.floor_divide (Python's //).
// int64 inputs compute exactly in int64; a zero divisor gives 0 (NumPy
// warns), MinInt64 // -1 wraps to MinInt64. Floats follow IEEE: x // 0 is
// ±Inf, 0 // 0 NaN.
func (a *Array) FloorDivide(b *Array) *Array { return elemwise("floor_divide", opFloorDiv, 0, a, b) }

// IsIn returns a bool array, true where an element of a equals one of
// values (np.isin(a, values)). An int64 array tested against int64 values
// compares exactly; otherwise both are compared as float64. NaN is never
// found.
func (a *Array) IsIn(values *Dense) *Array {
	if values == nil {
		return errArray("IsIn: nil values")
	}
	var set *Dense
	if a.dtype == Int64 && values.DType == Int64 {
		v := slices.Clone(values.I64)
		slices.Sort(v)
		set = &Dense{DType: Int64, Shape: []int{len(v)}, Strides: []int{1}, I64: slices.Compact(v)}
	} else {
		v := slices.Clone(values.Float64s())
		v = slices.DeleteFunc(v, func(x float64) bool { return x != x })
		slices.Sort(v)
		set = &Dense{DType: Float64, Shape: []int{len(v)}, Strides: []int{1}, Data: slices.Compact(v)}
	}
	set.Shape[0] = set.Len()
	return elemwiseSet("isin", opIsIn, 0, set, a)
}
