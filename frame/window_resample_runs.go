package frame

// sortedBinRuns cuts a partition whose timestamps ts ascend without nulls
// into the runs of rows of each fixed-frequency bin, by galloping to each
// bin's end instead of dividing every row's timestamp: bins[j] holds rows
// starts[j] to starts[j+1]. ok is false when ts is not sorted.
func sortedBinRuns(ts []int64, freq int64) (bins []int64, starts []int, ok bool) {
	n := len(ts)
	for i := 1; i < n; i++ {
		if ts[i] < ts[i-1] {
			return nil, nil, false
		}
	}
	for i := 0; i < n; {
		bin := floorDiv(ts[i], freq) * freq
		end := bin + freq
		// Gallop then bisect for the first row at or past end.
		step, j := 1, i+1
		for j < n && ts[j] < end {
			j = i + step
			step *= 2
		}
		lo, hi := i+1, min(j, n)
		if hi < n && ts[hi] < end {
			hi = n
		}
		for lo < hi {
			m := (lo + hi) / 2
			if ts[m] < end {
				lo = m + 1
			} else {
				hi = m
			}
		}
		bins, starts = append(bins, bin), append(starts, i)
		i = lo
	}
	return bins, append(starts, n), true
}

// accumulateRuns is resampleAccumulate for rows in runs (run j in bin
// state j): sums and means of a float column without nulls add each run's
// values in a tight loop of four independent sums (so the additions
// overlap instead of waiting on one another; NaN values skipped); the
// other functions run resampleAccumulate over the runs' state ids.
func accumulateRuns(fn string, c *col, starts []int, cnt []int64, a, b []float64) {
	if (fn == "sum" || fn == "mean") && c.k == kFloat && c.valid == nil {
		for g := 0; g+1 < len(starts); g++ {
			s, k := sum4(c.f64[starts[g]:starts[g+1]])
			a[g] += s
			cnt[g] += k
		}
		return
	}
	gid := make([]int32, starts[len(starts)-1])
	for g := 0; g+1 < len(starts); g++ {
		for i := starts[g]; i < starts[g+1]; i++ {
			gid[i] = int32(g)
		}
	}
	resampleAccumulate(fn, c, gid, cnt, a, b)
}

// sum4 is the sum and count of the non-NaN values of vs, in four lanes
// combined pairwise at the end.
func sum4(vs []float64) (float64, int64) {
	var s0, s1, s2, s3 float64
	var k int64
	i := 0
	for ; i+4 <= len(vs); i += 4 {
		v0, v1, v2, v3 := vs[i], vs[i+1], vs[i+2], vs[i+3]
		if v0 == v0 && v1 == v1 && v2 == v2 && v3 == v3 {
			s0, s1, s2, s3 = s0+v0, s1+v1, s2+v2, s3+v3
			k += 4
			continue
		}
		for j, v := range [4]float64{v0, v1, v2, v3} {
			if v == v {
				switch j {
				case 0:
					s0 += v
				case 1:
					s1 += v
				case 2:
					s2 += v
				default:
					s3 += v
				}
				k++
			}
		}
	}
	for ; i < len(vs); i++ {
		if v := vs[i]; v == v {
			s0 += v
			k++
		}
	}
	return (s0 + s1) + (s2 + s3), k
}
