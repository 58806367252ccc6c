package frame

import (
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
)

// mapStep is the pipe step of MapPartitions(fn, schema): it carries the
// declared column names and types so that every record fn returns is
// checked against them (Columns() and the table must agree).
func mapStep(fn string, schema *arrow.Schema) step {
	s := step{kind: "map", src: fn}
	var types []string
	for _, f := range schema.Fields() {
		s.names = append(s.names, f.Name)
		types = append(types, f.Type.String())
	}
	s.keys = types
	return s
}

// checkMapped reports how the record a map function returned differs from
// the schema MapPartitions declared: no record at all, another column
// count, or a column of another name or type.
func checkMapped(s *step, r arrow.Record) error {
	if r == nil {
		return fmt.Errorf("map function %q returned no record (nil) and no error", s.src)
	}
	if s.names == nil && s.keys == nil {
		return nil // a step encoded before the schema was carried
	}
	sch := r.Schema()
	if sch.NumFields() != len(s.names) {
		return fmt.Errorf("map function %q returned %d columns, declared %d (%v); pass the schema it returns to MapPartitions", s.src, sch.NumFields(), len(s.names), s.names)
	}
	for i, f := range sch.Fields() {
		if f.Name != s.names[i] || (i < len(s.keys) && f.Type.String() != s.keys[i]) {
			return fmt.Errorf("map function %q: column %d is %q %s, declared %q %s; pass the schema it returns to MapPartitions", s.src, i, f.Name, f.Type, s.names[i], s.keys[i])
		}
	}
	return nil
}
