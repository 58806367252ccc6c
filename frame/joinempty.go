package frame

import "github.com/godask/godask/graph"

// emptySide stands in for a join side with no partitions (every row group
// pruned by statistics, a hive filter matching no folder): one constant
// empty partition of the side's schema, so the join sees no rows instead of
// no inputs and answers as SQL does (an inner join is empty, a left join
// keeps the left rows with nulls).
func (b *builder) emptySide(side *node, keys []graph.Key) ([]graph.Key, error) {
	if len(keys) > 0 {
		return keys, nil
	}
	rec := emptyRecord(side.schema)
	enc, err := encodeRecord(nil, rec)
	if err != nil {
		return nil, err
	}
	k := graph.NewKey("join-empty-side", "frame.const-empty", enc, nil)
	b.g.Add(graph.ConstTask(k, &Part{R: rec}))
	return []graph.Key{k}, nil
}
