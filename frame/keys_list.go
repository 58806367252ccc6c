package frame

import (
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
)

// keyTypeError is the error for a key column (of GroupBy, ValueCounts,
// DropDuplicates or a join) whose type cannot be a key. A list column
// (SplitList's result) is refused as pandas refuses it ("unhashable type:
// 'list'"): the error names the column and says what to do instead, ListGet
// an element or Explode the lists (or group by the unsplit strings).
func keyTypeError(col string, t arrow.DataType) error {
	switch t.ID() {
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST:
		return fmt.Errorf("key %q is a list column (%s); lists are not hashable keys, as in pandas: use ListGet(%q, i, out) for an element, Explode(%q) for one row per element, or the unsplit string column", col, t, col, col)
	}
	return fmt.Errorf("key %q has unsupported type %s", col, t)
}
