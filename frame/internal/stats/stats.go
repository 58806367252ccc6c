// Package stats holds the statistics kernels behind frame's Quantile,
// Corr, Cov, Skew, Kurt and Describe: mergeable moment states (a
// partition's state, merged with another's by the pairwise formulas of
// Chan, Golub and LeVeque and of Pébay, so partial results from any split of
// the rows combine without loss of precision), exact quantiles by
// selection, and a mergeable quantile summary with a stated rank error.
// frame computes a state per partition (or per group and partition), merges
// the states in its reduction tasks and reads the results; nothing here
// knows Arrow or partitions.
package stats

import "math"

// Moments are the count, mean and central moment sums M2..M4 of a set of
// values.
type Moments struct {
	N                float64
	Mean, M2, M3, M4 float64
}

// Add adds one value (Welford's update extended to the 3rd and 4th
// moments).
func (m *Moments) Add(x float64) {
	n1 := m.N
	m.N++
	n := m.N
	d := x - m.Mean
	dn := d / n
	dn2 := dn * dn
	t := d * dn * n1
	m.Mean += dn
	m.M4 += t*dn2*(n*n-3*n+3) + 6*dn2*m.M2 - 4*dn*m.M3
	m.M3 += t*dn*(n-2) - 3*dn*m.M2
	m.M2 += t
}

// Merge adds the values of o (Pébay's pairwise formulas).
func (m *Moments) Merge(o Moments) {
	if o.N == 0 {
		return
	}
	if m.N == 0 {
		*m = o
		return
	}
	na, nb := m.N, o.N
	n := na + nb
	d := o.Mean - m.Mean
	d2 := d * d
	d3 := d2 * d
	d4 := d2 * d2
	m4 := m.M4 + o.M4 + d4*na*nb*(na*na-na*nb+nb*nb)/(n*n*n) + 6*d2*(na*na*o.M2+nb*nb*m.M2)/(n*n) + 4*d*(na*o.M3-nb*m.M3)/n
	m3 := m.M3 + o.M3 + d3*na*nb*(na-nb)/(n*n) + 3*d*(na*o.M2-nb*m.M2)/n
	m2 := m.M2 + o.M2 + d2*na*nb/n
	m.Mean += d * nb / n
	m.N, m.M2, m.M3, m.M4 = n, m2, m3, m4
}

// Var is the variance with ddof degrees of freedom (NaN for N <= ddof).
func (m *Moments) Var(ddof float64) float64 {
	if m.N <= ddof {
		return math.NaN()
	}
	return math.Max(m.M2, 0) / (m.N - ddof)
}

// Skew is the adjusted Fisher–Pearson sample skewness, pandas' skew():
// sqrt(n(n-1))/(n-2) · m3/m2^1.5 with m_k the k-th central moment; NaN for
// fewer than 3 values, 0 when all values are equal.
func (m *Moments) Skew() float64 {
	n := m.N
	if n < 3 {
		return math.NaN()
	}
	if m.M2 <= 1e-14*n*m.Mean*m.Mean || m.M2 == 0 {
		return 0
	}
	m2, m3 := m.M2/n, m.M3/n
	return math.Sqrt(n*(n-1)) / (n - 2) * m3 / math.Pow(m2, 1.5)
}

// Kurt is the unbiased excess kurtosis, pandas' kurt():
// (n+1)n(n-1)/((n-2)(n-3)) · M4/M2² − 3(n-1)²/((n-2)(n-3)); NaN for fewer
// than 4 values, 0 when all values are equal.
func (m *Moments) Kurt() float64 {
	n := m.N
	if n < 4 {
		return math.NaN()
	}
	if m.M2 <= 1e-14*n*m.Mean*m.Mean || m.M2 == 0 {
		return 0
	}
	a := (n + 1) * n * (n - 1) / ((n - 2) * (n - 3))
	b := 3 * (n - 1) * (n - 1) / ((n - 2) * (n - 3))
	return a*m.M4/(m.M2*m.M2) - b
}

// CoMoments are the count, means, sums of squared deviations and the sum
// of cross deviations of pairs (x, y).
type CoMoments struct {
	N, MX, MY, M2X, M2Y, C float64
}

// Add adds one pair.
func (c *CoMoments) Add(x, y float64) {
	c.N++
	dx := x - c.MX
	c.MX += dx / c.N
	dy := y - c.MY
	c.MY += dy / c.N
	c.M2X += dx * (x - c.MX)
	c.M2Y += dy * (y - c.MY)
	c.C += dx * (y - c.MY)
}

// Merge adds the pairs of o (Chan et al.'s pairwise update).
func (c *CoMoments) Merge(o CoMoments) {
	if o.N == 0 {
		return
	}
	if c.N == 0 {
		*c = o
		return
	}
	n := c.N + o.N
	dx, dy := o.MX-c.MX, o.MY-c.MY
	f := c.N * o.N / n
	c.M2X += o.M2X + dx*dx*f
	c.M2Y += o.M2Y + dy*dy*f
	c.C += o.C + dx*dy*f
	c.MX += dx * o.N / n
	c.MY += dy * o.N / n
	c.N = n
}

// Cov is the sample covariance (ddof=1; NaN for fewer than 2 pairs).
func (c *CoMoments) Cov() float64 {
	if c.N < 2 {
		return math.NaN()
	}
	return c.C / (c.N - 1)
}

// Corr is Pearson's correlation (NaN for fewer than 2 pairs or a constant
// side), clamped to [-1, 1].
func (c *CoMoments) Corr() float64 {
	if c.N < 2 || c.M2X <= 0 || c.M2Y <= 0 {
		return math.NaN()
	}
	r := c.C / math.Sqrt(c.M2X*c.M2Y)
	return math.Max(-1, math.Min(1, r))
}
