package frame

import (
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
)

// aggPlan is a GroupBy.Agg decomposed: an optional per-row pre-projection
// computing the aggregated expressions, the aggregations proper, and a post
// projection computing each output from the aggregates.
type aggPlan struct {
	pre       []*enode
	preNames  []string
	specs     []aggSpec
	post      []*enode
	postNames []string
	out       *arrow.Schema
	holistic  bool
}

func planAgg(in *arrow.Schema, keys []string, aggs []Expr) (*aggPlan, error) {
	ap := &aggPlan{}
	needPre := false
	inner := map[string]bool{}
	for _, k := range keys {
		inner[k] = true
	}
	// stateSchema holds the keys then the aggregate outputs, for typing the
	// post projection.
	var fields []arrow.Field
	for _, k := range keys {
		fields = append(fields, in.Field(in.FieldIndices(k)[0]))
	}
	seen := map[string]int{}
	var rewrite func(n *enode) (*enode, error)
	rewrite = func(n *enode) (*enode, error) {
		if aggOps[n.op] {
			if len(n.args) != 1 {
				return nil, fmt.Errorf("%s: aggregation needs one argument", n)
			}
			if n.args[0].hasAgg() {
				return nil, fmt.Errorf("%s: nested aggregation", n)
			}
			k, err := typeOf(n.args[0], in)
			if err != nil {
				return nil, err
			}
			if _, err := typeOf(n, in); err != nil {
				return nil, err
			}
			key := string(appendExpr(nil, n))
			if j, ok := seen[key]; ok {
				return &enode{op: "col", name: ap.specs[j].out}, nil
			}
			spec := aggSpec{fn: n.op, out: fmt.Sprintf("__g%d", len(ap.specs)), k: k}
			a := n.args[0]
			switch {
			case n.op == "size":
				spec.k = kInt
			case a.op == "col":
				spec.in = a.name
			default:
				spec.in = fmt.Sprintf("__a%d", len(ap.specs))
				ap.pre = append(ap.pre, a)
				ap.preNames = append(ap.preNames, spec.in)
				needPre = true
			}
			if holistic(spec.fn) {
				ap.holistic = true
			}
			seen[key] = len(ap.specs)
			ap.specs = append(ap.specs, spec)
			fields = append(fields, arrow.Field{Name: spec.out, Type: keepZone(spec.outType(), exprType(n, in, spec.k)), Nullable: true})
			return &enode{op: "col", name: spec.out}, nil
		}
		if n.op == "col" {
			return nil, fmt.Errorf("column %q is used outside an aggregation", n.name)
		}
		out := *n
		out.args = nil
		for _, a := range n.args {
			r, err := rewrite(a)
			if err != nil {
				return nil, err
			}
			out.args = append(out.args, r)
		}
		return &out, nil
	}
	for _, e := range aggs {
		if e.n == nil {
			return nil, fmt.Errorf("invalid (zero) expression")
		}
	}
	outNames, err := aggOutNames(keys, aggs)
	if err != nil {
		return nil, err
	}
	for i, e := range aggs {
		if !e.n.hasAgg() {
			return nil, fmt.Errorf("%s has no aggregation", e)
		}
		bound, err := bindZones(e.n, in) // tz_type.go
		if err != nil {
			return nil, err
		}
		r, err := rewrite(bound)
		if err != nil {
			return nil, err
		}
		ap.post = append(ap.post, r)
		ap.postNames = append(ap.postNames, outNames[i])
	}
	st := arrow.NewSchema(fields, nil)
	out := append([]arrow.Field(nil), fields[:len(keys)]...)
	for i, p := range ap.post {
		k, err := typeOf(p, st)
		if err != nil {
			return nil, err
		}
		out = append(out, arrow.Field{Name: ap.postNames[i], Type: keepZone(k.dtype(), exprType(p, st, k)), Nullable: true})
	}
	ap.out = arrow.NewSchema(out, nil)
	// The post projection keeps the keys.
	var post []*enode
	var names []string
	for _, k := range keys {
		post = append(post, &enode{op: "col", name: k})
		names = append(names, k)
	}
	ap.post = append(post, ap.post...)
	ap.postNames = append(names, ap.postNames...)
	if needPre {
		var pre []*enode
		var pn []string
		have := map[string]bool{}
		for _, k := range keys {
			pre, pn = append(pre, &enode{op: "col", name: k}), append(pn, k)
			have[k] = true
		}
		for _, s := range ap.specs {
			if s.in != "" && !have[s.in] && len(in.FieldIndices(s.in)) > 0 {
				pre, pn = append(pre, &enode{op: "col", name: s.in}), append(pn, s.in)
				have[s.in] = true
			}
		}
		ap.pre, ap.preNames = append(pre, ap.pre...), append(pn, ap.preNames...)
	}
	return ap, nil
}

func union(a map[string]bool, n *enode) map[string]bool {
	if a == nil {
		return nil
	}
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	n.cols(out)
	return out
}

func (p *pusher) push(n *node, need map[string]bool) *node {
	need = p.sharedNeed(n, need)
	m := *n
	switch n.op {
	case "join":
		return p.pushJoin(n, need)
	case "ext":
		return p.pushExt(n, need)
	case "source":
		if need != nil {
			var cols []string
			var fields []arrow.Field
			for _, fl := range n.src.schema().Fields() {
				if need[fl.Name] {
					cols = append(cols, fl.Name)
					fields = append(fields, fl)
				}
			}
			if len(cols) == 0 && len(n.src.schema().Fields()) > 0 {
				fl := n.src.schema().Field(0)
				cols, fields = []string{fl.Name}, []arrow.Field{fl}
			}
			m.cols = cols
			m.schema = arrow.NewSchema(fields, nil)
		}
		return &m
	case "filter":
		if n.in.op == "join" {
			if m, ok := pushFilterIntoJoin(n); ok {
				return p.push(m, need)
			}
		}
		if n.in.op == "project" {
			if pred, ok := throughProject(n.pred, n.in); ok {
				// filter(project(x)) = project(filter(x)) when the predicate
				// reads only columns the projection passes through.
				below := &node{op: "filter", in: n.in.in, pred: pred, schema: n.in.in.schema}
				above := *n.in
				above.in = below
				return p.push(&above, need)
			}
		}
		c := p.push(n.in, union(need, n.pred))
		if c.op == "source" {
			if c.pred == nil {
				c.pred = n.pred
			} else {
				c.pred = &enode{op: "and", args: []*enode{c.pred, n.pred}}
			}
			c.src = c.src.prune(c.pred)
			dropPredOnly(c, need)
			return c
		}
		m.in = c
		m.schema = c.schema
		return &m
	case "project":
		cn := map[string]bool{}
		var exprs []*enode
		var names []string
		var fields []arrow.Field
		for i, e := range n.exprs {
			if need != nil && !need[n.names[i]] {
				continue
			}
			e.cols(cn)
			exprs, names = append(exprs, e), append(names, n.names[i])
			fields = append(fields, n.schema.Field(i))
		}
		if len(exprs) == 0 {
			exprs, names, fields = n.exprs[:1], n.names[:1], n.schema.Fields()[:1]
			n.exprs[0].cols(cn)
		}
		m.exprs, m.names, m.schema = exprs, names, arrow.NewSchema(fields, nil)
		m.in = p.push(n.in, cn)
		return &m
	case "agg":
		cn := map[string]bool{}
		for _, k := range n.keys {
			cn[k] = true
		}
		for _, a := range n.aggs {
			a.n.cols(cn)
		}
		m.in = p.push(n.in, cn)
		return &m
	case "concat":
		m.ins = make([]*node, len(n.ins))
		for i, in := range n.ins {
			m.ins[i] = p.push(in, need)
		}
		m.schema = m.ins[0].schema
		return &m
	case "repartition", "setindex", "limit":
		m.in = p.push(n.in, need)
		m.schema = m.in.schema
		return &m
	case "parts":
		nn := need
		if nn != nil {
			nn = map[string]bool{n.idx.col: true}
			for k := range need {
				nn[k] = true
			}
		}
		m.in = p.push(n.in, nn)
		m.schema = m.in.schema
		return &m
	case "topn", "sort", "gtopn", "dedup":
		nn := need
		if nn != nil {
			nn = map[string]bool{}
			for k := range need {
				nn[k] = true
			}
			for _, b := range n.names {
				nn[b] = true
			}
			for _, b := range n.keys {
				nn[b] = true
			}
		}
		m.in = p.push(n.in, nn)
		// These nodes pass their input's columns through: after pruning
		// below, their schema is the pruned one (a join above reads it).
		m.schema = m.in.schema
		return &m
	}
	m.in = p.push(n.in, nil)
	return &m
}

// throughProject rewrites pred, written over the output of project node p,
// over p's input. It succeeds when every column pred reads is passed through
// by p unchanged or renamed (a bare column, possibly aliased).
func throughProject(pred *enode, p *node) (*enode, bool) {
	src := map[string]string{}
	for i, e := range p.exprs {
		for e.op == "alias" && len(e.args) == 1 {
			e = e.args[0]
		}
		if e.op == "col" {
			src[p.names[i]] = e.name
		}
	}
	var rewrite func(e *enode) (*enode, bool)
	rewrite = func(e *enode) (*enode, bool) {
		c := *e
		if e.op == "col" {
			name, ok := src[e.name]
			if !ok {
				return nil, false
			}
			c.name = name
			return &c, true
		}
		c.args = make([]*enode, len(e.args))
		for i, a := range e.args {
			r, ok := rewrite(a)
			if !ok {
				return nil, false
			}
			c.args[i] = r
		}
		return &c, true
	}
	return rewrite(pred)
}

// pend is a partition whose pipeline is not yet a task: fusion happens by
// appending steps until an operation needs the materialized partition.
type pend struct {
	deps  []graph.Key
	steps []step
	label string
}

type builder struct {
	g    *graph.Graph
	tags *planTags // nil except for ExplainAnalyze
}

// planTags ties the lowered tasks and steps to the plan nodes they came
// from, for ExplainAnalyze.
type planTags struct {
	ids  map[*node]int32       // plan node -> 1-based id, in Explain's order
	task []int32               // per task of the builder's graph, by position: its node
	out  map[graph.Key][]int32 // tasks whose output is a node's output
}

// tag gives node n the tasks added and the steps made since its inputs were
// lowered, and marks ps, its output, as n's.
func (b *builder) tag(n *node, ps []pend) {
	t := b.tags
	id, ok := t.ids[n]
	if !ok {
		return // a node made while lowering: its parent takes its work
	}
	for len(t.task) < b.g.Len() {
		t.task = append(t.task, id)
	}
	for i := range ps {
		p := &ps[i]
		for j := range p.steps {
			if p.steps[j].node == 0 {
				p.steps[j].node = id
			}
		}
		if k := len(p.steps); k > 0 {
			s := &p.steps[k-1]
			s.outs = append(s.outs[:len(s.outs):len(s.outs)], id)
		} else if len(p.deps) == 1 {
			t.out[p.deps[0]] = append(t.out[p.deps[0]], id)
		}
	}
}

func (b *builder) add(op graph.Op, deps ...graph.Key) (graph.Key, error) {
	t, err := graph.NewTask(op, deps...)
	if err != nil {
		return "", err
	}
	b.g.Add(t)
	return t.Key, nil
}

func (b *builder) mat(p pend) (graph.Key, error) {
	if len(p.steps) == 0 && len(p.deps) == 1 {
		return p.deps[0], nil
	}
	label := p.label
	if label == "" {
		label = "pipe"
		if len(p.steps) > 0 {
			label = p.steps[len(p.steps)-1].kind
		}
	}
	return b.add(&pipeOp{steps: p.steps, label: label}, p.deps...)
}

func appendStep(ps []pend, s step) []pend {
	out := make([]pend, len(ps))
	for i, p := range ps {
		out[i] = pend{deps: p.deps, label: p.label, steps: append(append([]step(nil), p.steps...), s)}
	}
	return out
}

func (b *builder) lower(n *node) ([]pend, error) {
	ps, err := b.lowerNode(n)
	if err == nil && b.tags != nil {
		b.tag(n, ps)
	}
	return ps, err
}

func (b *builder) lowerNode(n *node) ([]pend, error) {
	switch n.op {
	case "join":
		return b.lowerJoin(n)
	case "limit":
		return b.lowerLimit(n)
	case "ext":
		return lowerExt(b, n)
	case "concat":
		return lowerConcat(b, n)
	case "source":
		var out []pend
		// Columns read for the predicate only (dropPredOnly) are dropped
		// after the filter.
		dropAfter := n.pred != nil && n.cols != nil && predOutside(n)
		for i := 0; i < n.src.nparts(); i++ {
			tasks, deps, steps, err := n.src.part(i, n.cols, n.pred)
			if err != nil {
				return nil, err
			}
			for _, t := range tasks {
				b.g.Add(t)
			}
			if n.pred != nil && !filtered(steps) {
				steps = append(steps, step{kind: "filter", exprs: []*enode{n.pred}})
			}
			if dropAfter {
				steps = append(steps, step{kind: "cols", names: n.cols})
			}
			label := ""
			if len(steps) > 0 && steps[0].kind == "read" {
				label = "read-" + steps[0].src
			}
			out = append(out, pend{deps: deps, steps: steps, label: label})
		}
		return out, nil
	}
	ps, err := b.lower(n.in)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "project":
		return appendStep(ps, step{kind: "project", exprs: n.exprs, names: n.names}), nil
	case "filter":
		return appendStep(ps, step{kind: "filter", exprs: []*enode{n.pred}}), nil
	case "map":
		return appendStep(ps, mapStep(n.fn, n.schema)), nil
	case "sort":
		return b.lowerSort(n, ps)
	case "parts":
		return lowerParts(n, ps)
	case "setindex":
		return lowerSetIndex(ps)
	case "repartition":
		return lowerRepartition(b, n, ps)
	case "topn":
		s := step{kind: n.op, names: n.names, n: n.n, desc: n.desc}
		return b.concatAfter(appendStep(ps, s), s)
	case "agg":
		return b.lowerAgg(n, ps)
	case "gtopn":
		return b.lowerGroupTop(n, ps)
	case "dedup":
		return b.lowerDedup(n, ps)
	}
	return nil, fmt.Errorf("frame: cannot lower plan node %q", n.op)
}

func (b *builder) matAll(ps []pend) ([]graph.Key, error) {
	keys := make([]graph.Key, len(ps))
	for i, p := range ps {
		k, err := b.mat(p)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return keys, nil
}

const fanIn = 8

func (b *builder) lowerAgg(n *node, ps []pend) ([]pend, error) {
	ap, err := planAgg(n.in.schema, n.keys, n.aggs)
	if err != nil {
		return nil, err
	}
	if ap.pre != nil {
		ps = appendStep(ps, step{kind: "project", exprs: ap.pre, names: ap.preNames})
	}
	p := n.split
	if p <= 0 {
		p = autoSplit(len(ps))
	}
	if len(n.keys) == 0 {
		p = 1
	}
	base := combineOp{nkeys: len(n.keys), keys: n.keys, aggs: ap.specs, piece: -1}
	if !ap.holistic {
		ps = appendStep(ps, step{kind: "partial", keys: n.keys, aggs: ap.specs})
	} else {
		base.full = true
	}
	for i := range ps {
		ps[i].label = "partial-agg"
		if ap.holistic {
			ps[i].label = "prep-agg"
		}
	}
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	final := func(deps []graph.Key, piece int) (graph.Key, error) {
		// Tree-reduce wide fan-ins (only for mergeable states).
		for !ap.holistic && len(deps) > fanIn {
			var next []graph.Key
			for i := 0; i < len(deps); i += fanIn {
				j := i + fanIn
				if j > len(deps) {
					j = len(deps)
				}
				c := base
				c.piece = piece
				k, err := b.add(&c, deps[i:j]...)
				if err != nil {
					return "", err
				}
				next = append(next, k)
			}
			deps, piece = next, -1
		}
		c := base
		c.piece, c.final, c.post, c.postNames = piece, true, ap.post, ap.postNames
		return b.add(&c, deps...)
	}
	return b.partitioned(parts, n.keys, p, final)
}

// partitioned merges per-partition partial results with merge(deps, piece):
// all into one output when p == 1; otherwise each partial is hash-split by
// keys into p pieces and piece j of every partial is merged into output j
// (split_out), so many groups are never funnelled into one task.
func (b *builder) partitioned(parts []graph.Key, keys []string, p int, merge func([]graph.Key, int) (graph.Key, error)) ([]pend, error) {
	if p == 1 {
		k, err := merge(parts, -1)
		if err != nil {
			return nil, err
		}
		return []pend{{deps: []graph.Key{k}}}, nil
	}
	splits, err := b.splitAll(parts, keys, p)
	if err != nil {
		return nil, err
	}
	out := make([]pend, p)
	for j := range out {
		k, err := merge(splits, j)
		if err != nil {
			return nil, err
		}
		out[j] = pend{deps: []graph.Key{k}}
	}
	return out, nil
}

// splitAll adds a task per partition that hash-splits it by keys into p
// pieces, and returns their keys.
func (b *builder) splitAll(parts []graph.Key, keys []string, p int) ([]graph.Key, error) {
	out := make([]graph.Key, len(parts))
	for i, k := range parts {
		var err error
		if out[i], err = b.add(&splitOp{keys: keys, n: p}, k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// concatAfter gathers the partitions ps into one task that concatenates them
// and applies s to the whole (a per-partition top-n then the global one, a
// sort of few rows).
func (b *builder) concatAfter(ps []pend, s step) ([]pend, error) {
	keys, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	k, err := b.add(&concatOp{after: []step{s}}, keys...)
	if err != nil {
		return nil, err
	}
	return []pend{{deps: []graph.Key{k}}}, nil
}
