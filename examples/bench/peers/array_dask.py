#!/usr/bin/env python3
"""Array workloads on NumPy or dask.array (threaded scheduler), one engine per run.
usage: array_dask.py numpy|dask [name,name,...]
One line per workload: 'array/<name> seconds=<s>'."""
import sys, time, numpy as np, dask, dask.array as da
dask.config.set(scheduler="threads")
engine = sys.argv[1] if len(sys.argv) > 1 else "dask"
only = sys.argv[2].split(",") if len(sys.argv) > 2 else None
rng = np.random.default_rng(0)
N = 50_000_000
xn = rng.random(N); xn.sum()
A = rng.random((4000, 4000))
X = rng.random((2_000_000, 20)); y = rng.random(2_000_000)
if engine == "dask":
    xd = da.from_array(xn, chunks=5_000_000).persist()
    Ad = da.from_array(A, chunks=(1000, 1000)).persist()
    Xd = da.from_array(X, chunks=(200_000, 20)).persist(); yd = da.from_array(y, chunks=200_000).persist()
    W = {
     "sum": lambda: xd.sum().compute(),
     "meanstd": lambda: dask.compute(xd.mean(), xd.std()),
     "elementwise": lambda: da.exp(xd * 2.0 + 1.0).sum().compute(),
     "matmul": lambda: (Ad @ Ad).compute(),
     "transpose_add": lambda: (Ad + Ad.T).sum().compute(),
     "ols_normal": lambda: da.linalg.solve(Xd.T @ Xd, Xd.T @ yd).compute(),
     "lstsq_tsqr": lambda: da.linalg.lstsq(Xd, yd)[0].compute(),
     "svd_tsqr": lambda: da.linalg.svd(Xd)[1].compute(),
     "slice_sum": lambda: Ad[10:3000, :-2].sum().compute(),
    }
else:
    W = {
     "sum": lambda: xn.sum(),
     "meanstd": lambda: (xn.mean(), xn.std()),
     "elementwise": lambda: np.exp(xn * 2.0 + 1.0).sum(),
     "matmul": lambda: A @ A,
     "transpose_add": lambda: (A + A.T).sum(),
     "ols_normal": lambda: np.linalg.solve(X.T @ X, X.T @ y),
     "lstsq_tsqr": lambda: np.linalg.lstsq(X, y, rcond=None)[0],
     "svd_tsqr": lambda: np.linalg.svd(X, full_matrices=False)[1],
     "slice_sum": lambda: A[10:3000, :-2].sum(),
    }
# --- arr13c (issue 13): einsum and a 3x3 stencil on deterministic inputs,
# x[i,j] = ((a*i + b*j) % m) / m as in examples/bench/array_arr13c.go; the
# sum of each answer goes to stderr on the warm-up run, to compare with godask.
def pattern(r, c, a, b, m):
    return ((a * np.arange(r)[:, None] + b * np.arange(c)[None, :]) % m) / m
def box3(b):
    p = np.pad(b, 1); n, m = b.shape
    return sum(p[i:i + n, j:j + m] for i in range(3) for j in range(3))
_arr13c = {}
def _inputs():
    if not _arr13c:
        _arr13c["X"], _arr13c["Y"] = pattern(2_000_000, 20, 7, 13, 101), pattern(2_000_000, 20, 3, 5, 37)
        _arr13c["S"] = pattern(10_000, 10_000, 7, 13, 101)
        if engine == "dask":
            _arr13c["Xd"] = da.from_array(_arr13c["X"], chunks=(200_000, 20)).persist()
            _arr13c["Yd"] = da.from_array(_arr13c["Y"], chunks=(200_000, 20)).persist()
            _arr13c["Sd"] = da.from_array(_arr13c["S"], chunks=(2500, 2500)).persist()
    return _arr13c
if engine == "dask":
    W["einsum_rowdot"] = lambda: da.einsum("ij,ij->i", _inputs()["Xd"], _arr13c["Yd"]).compute()
    W["stencil3x3"] = lambda: _inputs()["Sd"].map_overlap(box3, depth=1, boundary=0).compute()
else:
    W["einsum_rowdot"] = lambda: np.einsum("ij,ij->i", _inputs()["X"], _arr13c["Y"])
    W["stencil3x3"] = lambda: box3(_inputs()["S"])
_checksum = {"einsum_rowdot", "stencil3x3"}
# --- end arr13c

# --- gemm19 (issue 19): matrix products; matmul_f32 is the 4000² A in
# float32, matmul_tall 10^6x64 @ 64x64, gram X.T @ X of the 2*10^6x20 X.
_gemm19 = {}
def _gemm_inputs():
    if not _gemm19:
        g = np.random.default_rng(19)
        _gemm19["A32"] = A.astype(np.float32)
        _gemm19["T"], _gemm19["W"] = g.random((1_000_000, 64)), g.random((64, 64))
        if engine == "dask":
            _gemm19["A32d"] = da.from_array(_gemm19["A32"], chunks=(1000, 1000)).persist()
            _gemm19["Td"] = da.from_array(_gemm19["T"], chunks=(100_000, 64)).persist()
            _gemm19["Wd"] = da.from_array(_gemm19["W"], chunks=(64, 64)).persist()
    return _gemm19
if engine == "dask":
    W["matmul_f32"] = lambda: (_gemm_inputs()["A32d"] @ _gemm19["A32d"]).compute()
    W["matmul_tall"] = lambda: (_gemm_inputs()["Td"] @ _gemm19["Wd"]).compute()
    W["gram"] = lambda: (Xd.T @ Xd).compute()
else:
    W["matmul_f32"] = lambda: _gemm_inputs()["A32"] @ _gemm19["A32"]
    W["matmul_tall"] = lambda: _gemm_inputs()["T"] @ _gemm19["W"]
    W["gram"] = lambda: X.T @ X
# --- end gemm19
# --- arr13b (issue 13): sort, percentile, histogram and int64 sum on inputs
# made by a splitmix64 hash of the element index, as in
# examples/bench/array_stats.go, so godask, NumPy and dask see the same data;
# answers go to stderr on the warm-up run ("array/<name> answer=...").
# dask.array has no sort along a chunked axis: its closest is a rechunk to
# one chunk and np.sort; its percentile is approximate (merged per chunk).
def _hash(lo, hi):
    z = np.arange(lo, hi, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
def _hashed(n, kind):
    out = np.empty(n, dtype=np.float64 if kind == "f" else np.int64)
    for s in range(0, n, 10_000_000):
        h = _hash(s, min(n, s + 10_000_000))
        out[s:s + len(h)] = (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53)) if kind == "f" else h.view(np.int64)
    return out
_arr13b = {}
def _b(name, n, chunk, kind):
    if name not in _arr13b:
        a = _hashed(n, kind)
        _arr13b[name] = da.from_array(a, chunks=chunk).persist() if engine == "dask" else a
    return _arr13b[name]
_xs = lambda: _b("xs", 100_000_000, 10_000_000, "f")
_xp = lambda: _b("xp", 50_000_000, 5_000_000, "f")
_xi = lambda: _b("xi", 50_000_000, 5_000_000, "i")
if engine == "dask":
    W["sort"] = lambda: _xs().rechunk(-1).map_blocks(np.sort).compute()
    W["percentile"] = lambda: da.percentile(_xp(), [50, 90, 99]).compute()
    W["histogram"] = lambda: da.histogram(_xp(), bins=100, range=(0, 1))[0].compute()
    W["int64_sum"] = lambda: _xi().sum().compute()
else:
    W["sort"] = lambda: np.sort(_xs())
    W["percentile"] = lambda: np.percentile(_xp(), [50, 90, 99])
    W["histogram"] = lambda: np.histogram(_xp(), bins=100, range=(0, 1))[0]
    W["int64_sum"] = lambda: _xi().sum()
def _hist_answer(c):
    h = 0
    for v in c: h = (h * 31 + int(v)) % (1 << 64)
    return f"first={int(c[0])} last={int(c[-1])} hash={h}"
_answer = {"sort": lambda r: list(r[::9999999]), "percentile": lambda r: list(r),
           "histogram": _hist_answer, "int64_sum": lambda r: int(r)}
# --- end arr13b

for k, f in W.items():
    if only and k not in only: continue
    r = f()  # warm-up: first-touch page faults are not the workload
    if k in _checksum: print(f"array/{k} sum={float(np.sum(r)):.10g}", file=sys.stderr, flush=True)
    if k in _answer: print(f"array/{k} answer={_answer[k](r)}", file=sys.stderr, flush=True)
    t = time.time(); f(); print(f"array/{k} seconds={time.time()-t:.4f}", flush=True)
