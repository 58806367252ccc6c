package frame

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// Count is count(*): the number of rows (of each group in GroupBy.Agg, of
// the frame in Frame.Agg), nulls included; an empty frame counts 0.
// Col(c).Count() counts the non-null values of c instead.
func Count() Expr { return Lit(1).Size() }

// ScalarOf is the value of column col of the one-row frame f, usable in any
// expression of Filter, WithColumn or Select on another frame, as SQL's
// scalar subquery: Filter(Col("v").Gt(ScalarOf(avg, "mean_v"))). f is
// computed with the frame it is used in (lazily, once, broadcast to every
// partition). A frame of no rows gives null (as SQL); more than one row is
// an error when the query runs, naming the column and the row count.
func ScalarOf(f *Frame, col string) Expr {
	if f == nil {
		return Expr{&enode{op: "scalar", name: col, lit: litVal{k: kInvalid, s: "nil frame"}}}
	}
	return Expr{&enode{op: "scalar", name: col, sub: f}}
}

// hasScalar reports whether n uses ScalarOf.
func (n *enode) hasScalar() bool {
	if n == nil {
		return false
	}
	if n.op == "scalar" {
		return true
	}
	for _, a := range n.args {
		if a.hasScalar() {
			return true
		}
	}
	return false
}

// bindScalars attaches the scalar subqueries of exprs to f: each becomes a
// hidden column of f (a one-row frame cross-joined onto every partition) and
// its uses a reference to that column. It returns the widened frame, the
// rewritten expressions and the hidden columns to drop afterwards.
func bindScalars(f *Frame, exprs []Expr) (*Frame, []Expr, []string) {
	var hidden []string
	subs := map[*enode]string{}
	var walk func(n *enode) (*enode, error)
	walk = func(n *enode) (*enode, error) {
		if n.op == "scalar" {
			if name, ok := subs[n]; ok {
				return &enode{op: "col", name: name}, nil
			}
			if n.sub == nil {
				return nil, fmt.Errorf("ScalarOf(%q): %s", n.name, n.lit.s)
			}
			if n.sub.err != nil {
				return nil, fmt.Errorf("ScalarOf(%q): %w", n.name, n.sub.err)
			}
			if n.sub.n.schema.FieldIndices(n.name) == nil {
				return nil, fmt.Errorf("ScalarOf: no column %q in the frame (it has %v)", n.name, n.sub.Columns())
			}
			name := fmt.Sprintf("\x00scalar%d", len(hidden))
			one := n.sub.SelectCols(n.name).Repartition(1).
				MapPartitions("frame.scalar", nil).Rename(map[string]string{n.name: name})
			f = f.CrossJoin(one)
			if f.err != nil {
				return nil, f.err
			}
			hidden = append(hidden, name)
			subs[n] = name
			return &enode{op: "col", name: name}, nil
		}
		m := *n
		m.args = make([]*enode, len(n.args))
		for i, a := range n.args {
			b, err := walk(a)
			if err != nil {
				return nil, err
			}
			m.args[i] = b
		}
		return &m, nil
	}
	out := make([]Expr, len(exprs))
	for i, e := range exprs {
		n, err := walk(e.n)
		if err != nil {
			return errFrame(fmt.Errorf("frame: %w", err)), nil, nil
		}
		out[i] = Expr{n}
	}
	return f, out, hidden
}

func init() {
	// frame.scalar checks that a scalar subquery has at most one row; none
	// becomes one null row.
	RegisterMap("frame.scalar", func(ctx context.Context, r arrow.Record) (arrow.Record, error) {
		name := r.Schema().Field(0).Name
		switch r.NumRows() {
		case 1:
			r.Retain()
			return r, nil
		case 0:
			a := array.MakeArrayOfNull(memory.DefaultAllocator, r.Column(0).DataType(), 1)
			return array.NewRecord(r.Schema(), []arrow.Array{a}, 1), nil
		}
		return nil, fmt.Errorf("frame: ScalarOf(%q): the frame has %d rows, a scalar needs exactly one", name, r.NumRows())
	})
}

func hasScalars(es []Expr) bool {
	for _, e := range es {
		if e.n.hasScalar() {
			return true
		}
	}
	return false
}
