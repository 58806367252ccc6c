package frame

// typeOfExt and applyExt route the string and date operations of
// expr_strings.go and expr_dates.go; typeOf and apply ask them first, and
// ok false leaves an operation to the core switch.

func typeOfExt(n *enode, ks []kind) (kind, bool, error) {
	if k, ok, err := typeOfDates(n, ks); ok {
		return k, true, err
	}
	return typeOfStrings(n, ks)
}

func applyExt(n *enode, a []*val, rows int) (*val, bool, error) {
	if v, ok, err := applyDates(n, a, rows); ok {
		return v, true, err
	}
	return applyStrings(n, a, rows)
}

// castKindExt names the dtypes beyond the core five for Cast.
func castKindExt(name string) kind {
	switch name {
	case "date32", "date32[day]", "date":
		return kDate
	case "duration", "duration[us]":
		return kDur
	}
	return kInvalid
}
