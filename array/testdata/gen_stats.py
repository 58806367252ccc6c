#!/usr/bin/env python3
"""Writes stats_numpy.json: NumPy 1.24 answers for Percentile, Median,
Histogram and Unique edge cases, the fixture of stats_test.go.
Floats are strings (repr) so NaN and Inf survive JSON."""
import json, numpy as np
rng = np.random.default_rng(7)
f = lambda a: [repr(float(v)) for v in np.ravel(a)]
cases = {"percentile": [], "histogram": [], "unique": []}
qs = [0, 12.5, 33.3, 50, 90, 99, 100]
arrays = [
    rng.normal(size=37),
    np.round(rng.normal(size=50), 1),                        # ties
    np.array([1.0, np.inf, -np.inf, 2.0, 2.0, 0.0, -0.0]),
    np.array([5.0]),
    np.array([3.0, np.nan, 1.0]),
    rng.integers(-5, 5, size=23).astype(float),
]
for a in arrays:
    cases["percentile"].append({"x": f(a), "q": qs, "p": f(np.percentile(a, qs)), "median": repr(float(np.median(a)))})
hists = [
    (np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]), 10, (0.0, 1.0)),
    (np.array([0.0, 1.0, 2.0, 3.0]), 3, (0.0, 3.0)),
    (rng.normal(size=200), 7, (-1.0, 1.5)),
    (np.array([2.0, 2.0, 2.0]), 4, (2.0, 2.0)),
    (np.array([1.0, np.nan, 5.0, -3.0, 1e-300]), 5, (-3.0, 5.0)),
    (np.linspace(0, 1, 101), 100, (0.0, 1.0)),
]
for a, b, r in hists:
    c, e = np.histogram(a, bins=b, range=r)
    cases["histogram"].append({"x": f(a), "bins": b, "range": list(r), "counts": [int(v) for v in c], "edges": f(e)})
for a in [np.array([np.nan, 1.0, np.nan, -0.0, 0.0, 3.0, 1.0, -np.inf]), rng.integers(0, 6, size=40).astype(float)]:
    u, n = np.unique(a, return_counts=True)
    cases["unique"].append({"x": f(a), "values": f(u), "counts": [int(v) for v in n]})
json.dump(cases, open("stats_numpy.json", "w"), indent=0)
