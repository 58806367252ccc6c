# Writes numpy_ew.json: NumPy's result dtypes for elementwise ops over the
# operand kinds godask has (bool, int64, float32, float64 arrays and Python
# int / float scalars), and NumPy's values of round, mod and floor_divide.
# Run with NumPy 1.24: /usr/bin/python3 gen_numpy_ew.py > numpy_ew.json
import json, warnings
import numpy as np
warnings.simplefilter("ignore")
kinds = {
    "bool": np.array([True, False]),
    "int64": np.array([3, -2], dtype=np.int64),
    "float32": np.array([2.5, -1.5], dtype=np.float32),
    "float64": np.array([2.5, -1.5]),
    "pyint": 3,
    "pyfloat": 2.5,
}
binary = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
          "floor_divide": np.floor_divide, "mod": np.mod, "pow": np.power, "maximum": np.maximum,
          "minimum": np.minimum, "arctan2": np.arctan2, "lt": np.less, "eq": np.equal}
unary = {"neg": np.negative, "abs": np.abs, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "floor": np.floor,
         "ceil": np.ceil, "sign": np.sign, "round": np.round, "isinf": np.isinf, "isnan": np.isnan,
         "isfinite": np.isfinite, "tan": np.tan, "arcsin": np.arcsin, "log1p": np.log1p, "expm1": np.expm1}
def name(r):
    d = np.asarray(r).dtype
    return str(d)
table = []
for op, f in binary.items():
    for a in kinds:
        for b in kinds:
            if a.startswith("py") and b.startswith("py"):
                continue
            try:
                r = name(f(kinds[a], kinds[b]))
            except Exception:
                r = "error"
            table.append([op, a, b, r])
for op, f in unary.items():
    for a in ["bool", "int64", "float32", "float64"]:
        try:
            r = name(f(kinds[a]))
        except Exception:
            r = "error"
        table.append([op, a, "", r])
for a in kinds:
    for b in kinds:
        table.append(["where", a, b, name(np.where(np.array([True, False]), kinds[a], kinds[b]))])

def fs(v):
    return repr(float(v))
fvals = [0.5, 1.5, 2.5, -0.5, -1.5, 0.125, 0.375, 1234.5678, -2.675, 2.675, 1e300, -1e-300, 0.0, -0.0,
         float("nan"), float("inf"), float("-inf"), 123456.5, 7.45, 0.05, 999.9999]
rounds = []
for d in [-3, -2, -1, 0, 1, 2, 3]:
    for dt in ["float64", "float32"]:
        x = np.array(fvals, dtype=dt)
        rounds.append({"dtype": dt, "decimals": d, "x": [fs(v) for v in x], "y": [fs(v) for v in np.round(x, d)]})
ivals = [15, 25, -15, -25, 149, 150, 250, -250, 5, 0, 1, -1, 1049, 1050, 1150, -1150, 2**40 + 50]
for d in [-3, -2, -1, 0, 2]:
    x = np.array(ivals, dtype=np.int64)
    rounds.append({"dtype": "int64", "decimals": d, "xi": x.tolist(), "yi": np.round(x, d).tolist()})
ia = [7, -7, 7, -7, 0, 5, -5, 2**62, -2**63, -2**63, 2**63 - 1, 13, -13, 1, 0]
ib = [2, 2, -2, -2, 3, 0, 0, 7, -1, 3, -5, 13, 13, -1, 0]
fa = [7.0, -7.0, 7.0, -7.0, 0.0, 1.0, -1.0, 0.0, float("inf"), 5.0, -5.0, 5.0, float("nan"), 1e308, 0.3, -0.3, 5.5, -0.0]
fb = [2.0, 2.0, -2.0, -2.0, 3.0, 0.0, 0.0, 0.0, 2.0, float("inf"), float("inf"), float("-inf"), 1.0, 1e-308, 0.1, 0.1, -2.5, 3.0]
A, B = np.array(ia, dtype=np.int64), np.array(ib, dtype=np.int64)
X, Y = np.array(fa), np.array(fb)
divmod_ = {
    "ia": ia, "ib": ib, "imod": np.mod(A, B).tolist(), "ifloordiv": np.floor_divide(A, B).tolist(),
    "fa": [fs(v) for v in fa], "fb": [fs(v) for v in fb],
    "fmod": [fs(v) for v in np.mod(X, Y)], "ffloordiv": [fs(v) for v in np.floor_divide(X, Y)],
}
print(json.dumps({"numpy": np.__version__, "dtypes": table, "round": rounds, "divmod": divmod_}))
