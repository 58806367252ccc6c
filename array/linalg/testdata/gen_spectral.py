#!/usr/bin/python3
"""NumPy 1.24 answers for array/linalg spectral_test.go: norms, det, pinv, eigh, lstsq (min-norm)."""
import json, numpy as np
rng = np.random.default_rng(7)
out = {"numpy": np.__version__, "norm": [], "det": [], "pinv": [], "eigvalsh": [], "lstsq": []}
def flt(a): return [float(v) for v in np.ravel(a)]
for shape in [(7,), (6, 4), (3, 8), (2, 3, 4), (5, 5)]:
    x = rng.standard_normal(shape)
    x[tuple(0 for _ in shape)] = 0.0
    nd = len(shape)
    cases = [("", None)]
    if nd == 1:
        cases += [(o, None) for o in ["2", "1", "inf", "-inf", "0", "3", "0.5"]]
    if nd == 2:
        cases += [(o, None) for o in ["fro", "nuc", "1", "-1", "2", "-2", "inf", "-inf"]]
        cases += [(o, [1]) for o in ["", "1", "inf", "0"]] + [(o, [1, 0]) for o in ["1", "inf", "2", "nuc"]]
    if nd == 3:
        cases += [("", [2]), ("1", [0]), ("fro", [0, 2]), ("1", [2, 0]), ("-inf", [1, 2])]
    for o, ax in cases:
        ordv = None if o == "" else ({"fro": "fro", "nuc": "nuc", "inf": np.inf, "-inf": -np.inf}.get(o) or float(o))
        if isinstance(ordv, float) and ordv.is_integer(): ordv = int(ordv)
        y = np.linalg.norm(x, ord=ordv, axis=None if ax is None else tuple(ax) if len(ax) > 1 else ax[0])
        out["norm"].append({"shape": shape, "x": flt(x), "ord": o, "axes": ax or [], "out_shape": list(np.shape(y)), "out": flt(y)})
for n in [1, 3, 6]:
    a = rng.standard_normal((n, n))
    out["det"].append({"n": n, "a": flt(a), "det": float(np.linalg.det(a))})
    s = a + a.T
    out["eigvalsh"].append({"n": n, "a": flt(s), "w": flt(np.linalg.eigvalsh(s))})
sing = np.outer(np.arange(1, 4), np.arange(1, 4)).astype(float)
out["det"].append({"n": 3, "a": flt(sing), "det": float(np.linalg.det(sing))})
for m, n, r in [(40, 5, 5), (40, 5, 3), (6, 15, 6), (6, 15, 2), (9, 9, 4)]:
    a = rng.standard_normal((m, r)) @ rng.standard_normal((r, n))
    b = rng.standard_normal(m)
    B = rng.standard_normal((m, 2))
    x, res, rank, s = np.linalg.lstsq(a, b, rcond=None)
    X, _, _, _ = np.linalg.lstsq(a, B, rcond=None)
    out["pinv"].append({"m": m, "n": n, "a": flt(a), "pinv": flt(np.linalg.pinv(a))})
    out["lstsq"].append({"m": m, "n": n, "a": flt(a), "b": flt(b), "B": flt(B), "x": flt(x), "X": flt(X), "rank": int(rank), "s": flt(s)})
json.dump(out, open("numpy_spectral.json", "w"))
