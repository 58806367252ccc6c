package frame

// Predicate pushdown through joins: a filter above a join is split into its
// AND-ed conditions, and each condition that reads the columns of one side
// only moves below the join onto that side (where it can go further, into
// a Parquet scan and its row-group pruning). A condition moves only where
// that cannot change the answer:
//
//   - onto the left side of inner, left, semi and anti joins, and the right
//     side of inner and right joins: those sides' rows are kept or dropped
//     by the condition alone, matched or not;
//   - never onto the side whose columns an outer join fills with nulls (a
//     condition on them, such as IsNull, would then see the filled rows'
//     nulls above the join but the real values below it), and never
//     anything of a full outer join;
//   - a condition on shared key columns only (On keys, one output column)
//     of an inner, left, right or semi join moves onto both sides: matched
//     rows have equal keys, so a row failing it on one side could only
//     match rows failing it on the other. Float keys are excluded (-0 and 0
//     match but can compute differently).
//
// Conditions mixing both sides, and conditions using operations not known
// to be row-wise (anything this file does not list), stay above the join.

// rowWiseOps are the expression operations whose value at a row depends on
// that row alone: a condition made of them may be evaluated before a join.
var rowWiseOps = map[string]bool{
	"col": true, "lit": true, "alias": true, "+": true, "-": true, "*": true, "/": true, "neg": true,
	"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true, "and": true, "or": true, "not": true,
	"isnull": true, "notnull": true, "isin": true, "fillnull": true, "cast": true, "when": true, "bool": true,
	"contains": true, "startswith": true, "endswith": true, "lower": true, "upper": true, "len": true,
	"year": true, "month": true, "day": true, "hour": true, "weekday": true,
	// expr_strings.go, expr_dates.go
	"like": true, "ilike": true, "matches": true, "extract": true, "replaceall": true, "substr": true,
	"adddays": true, "addmonths": true, "addyears": true, "dayofyear": true, "durdays": true, "minute": true,
	"quarter": true, "second": true, "totalseconds": true,
}

func rowWise(e *enode) bool {
	if !rowWiseOps[e.op] {
		return false
	}
	for _, a := range e.args {
		if !rowWise(a) {
			return false
		}
	}
	return true
}

// conjuncts splits pred into its AND-ed parts.
func conjuncts(pred *enode, out []*enode) []*enode {
	if pred.op == "and" && len(pred.args) == 2 {
		return conjuncts(pred.args[1], conjuncts(pred.args[0], out))
	}
	return append(out, pred)
}

// andAll joins conditions with AND (nil for none).
func andAll(cs []*enode) *enode {
	var out *enode
	for _, c := range cs {
		if out == nil {
			out = c
		} else {
			out = &enode{op: "and", args: []*enode{out, c}}
		}
	}
	return out
}

// renameCols rewrites the columns e reads through m (every one must be in m).
func renameCols(e *enode, m map[string]string) *enode {
	c := *e
	if e.op == "col" {
		c.name = m[e.name]
		return &c
	}
	c.args = make([]*enode, len(e.args))
	for i, a := range e.args {
		c.args[i] = renameCols(a, m)
	}
	return &c
}

// pushFilterIntoJoin rewrites filter(join(l, r)) into
// filter_rest(join(filter_l(l), filter_r(r))) as the rules above allow; ok
// is false when no condition moves.
func pushFilterIntoJoin(f *node) (*node, bool) {
	j := f.in
	s := j.join
	h := s.how
	leftOK := h == Inner || h == Left || h == Semi || h == Anti
	rightOK := h == Inner || h == Right
	// Output column -> input column of each side.
	lmap, rmap := map[string]string{}, map[string]string{}
	keyOut := map[string]bool{} // shared key columns (one output column)
	lkeyIdx := map[string]int{}
	for i, k := range s.lk {
		lkeyIdx[k] = i
	}
	for i, fl := range j.in.schema.Fields() {
		lmap[s.lcols[i]] = fl.Name
	}
	if h != Semi && h != Anti {
		for i, fl := range j.right.schema.Fields() {
			if s.rcols[i] != "" {
				rmap[s.rcols[i]] = fl.Name
			}
		}
	}
	// Shared keys: the output column is the left key (inner, left, semi,
	// anti), the right key where the left has none (right), or either
	// (outer). keyR maps it to the right key's name.
	keyR := map[string]string{}
	if s.shared {
		for i, fl := range j.in.schema.Fields() {
			if k, ok := lkeyIdx[fl.Name]; ok {
				if kindOf(fl.Type) != kFloat {
					keyOut[s.lcols[i]] = true
				}
				keyR[s.lcols[i]] = s.rk[k]
			}
		}
	}
	var keep, toL, toR []*enode
	for _, c := range conjuncts(f.pred, nil) {
		if !rowWise(c) {
			keep = append(keep, c)
			continue
		}
		set := map[string]bool{}
		c.cols(set)
		onlyKeys, inL, inR := len(set) > 0, true, true
		for col := range set {
			if !keyOut[col] {
				onlyKeys = false
			}
			if _, ok := lmap[col]; !ok {
				inL = false
			}
			if _, ok := rmap[col]; !ok {
				if _, isKey := keyR[col]; !isKey || h == Semi || h == Anti {
					inR = false
				}
			}
		}
		if len(set) == 0 {
			keep = append(keep, c) // a constant condition: leave it be
			continue
		}
		moved := false
		if onlyKeys && (h == Inner || h == Left || h == Right || h == Semi) {
			toL = append(toL, renameCols(c, lmap))
			toR = append(toR, renameCols(c, keyR))
			moved = true
		} else if inL && leftOK && !touchesKeyOf(set, keyR, h) {
			toL = append(toL, renameCols(c, lmap))
			moved = true
		} else if inR && rightOK {
			m := map[string]string{}
			for k, v := range rmap {
				m[k] = v
			}
			for k, v := range keyR {
				m[k] = v
			}
			toR = append(toR, renameCols(c, m))
			moved = true
		}
		if !moved {
			keep = append(keep, c)
		}
	}
	if len(toL) == 0 && len(toR) == 0 {
		return nil, false
	}
	nj := *j
	if p := andAll(toL); p != nil {
		nj.in = &node{op: "filter", in: j.in, pred: p, schema: j.in.schema, idx: j.in.idx}
	}
	if p := andAll(toR); p != nil {
		nj.right = &node{op: "filter", in: j.right, pred: p, schema: j.right.schema, idx: j.right.idx}
	}
	if p := andAll(keep); p != nil {
		nf := *f
		nf.in, nf.pred = &nj, p
		return &nf, true
	}
	return &nj, true
}

// touchesKeyOf reports whether a condition on columns set reads a shared
// key column whose output value is not the left side's (right joins: the
// right key where the left has none).
func touchesKeyOf(set map[string]bool, keyR map[string]string, h How) bool {
	if h != Right && h != Outer {
		return false
	}
	for c := range set {
		if _, ok := keyR[c]; ok {
			return true
		}
	}
	return false
}
