package frame

import (
	"fmt"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// Column pairs a column name with its values as a Go slice: []int64, []int,
// []float64, []string, []bool or []time.Time.
type Column struct {
	Name   string
	Values any
}

// FromColumns makes a frame of the given columns (of equal length), split
// into nparts partitions of near-equal size.
func FromColumns(nparts int, cols ...Column) *Frame {
	if len(cols) == 0 {
		return errFrame(fmt.Errorf("frame: FromColumns: no columns"))
	}
	n := -1
	var fields []arrow.Field
	var arrs []arrow.Array
	for _, c := range cols {
		var a arrow.Array
		switch v := c.Values.(type) {
		case []int64:
			a = int64Array(append([]int64(nil), v...), nil)
		case []int:
			x := make([]int64, len(v))
			for i, e := range v {
				x[i] = int64(e)
			}
			a = int64Array(x, nil)
		case []float64:
			a = float64Array(append([]float64(nil), v...), nil)
		case []string:
			sb := newStrBuilder(len(v))
			for _, s := range v {
				sb.add([]byte(s))
			}
			a = sb.array()
		case []bool:
			a = boolArray(v, nil)
		case []time.Time:
			x := make([]int64, len(v))
			for i, e := range v {
				x[i] = e.UnixMicro()
			}
			a = timeArray(x, nil)
		default:
			return errFrame(fmt.Errorf("frame: FromColumns: column %q has unsupported type %T", c.Name, c.Values))
		}
		if n >= 0 && a.Len() != n {
			return errFrame(fmt.Errorf("frame: FromColumns: column %q has %d values, column %q has %d", c.Name, a.Len(), cols[0].Name, n))
		}
		n = a.Len()
		fields = append(fields, arrow.Field{Name: c.Name, Type: a.DataType(), Nullable: true})
		arrs = append(arrs, a)
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(n))
	return splitRecord(rec, nparts)
}

// splitRecord cuts rec into nparts slices of near-equal size, one per
// partition.
func splitRecord(rec arrow.Record, nparts int) *Frame {
	n := int(rec.NumRows())
	if nparts < 1 {
		nparts = 1
	}
	if nparts > n && n > 0 {
		nparts = n
	}
	var recs []arrow.Record
	for i := 0; i < nparts; i++ {
		lo, hi := int64(n*i/nparts), int64(n*(i+1)/nparts)
		recs = append(recs, settled(rec.NewSlice(lo, hi)))
	}
	return FromRecords(recs...)
}
