# Generates window_fixtures.json: inputs and pandas' answers for the
# window and statistics tests (Rolling std, Skew, Kurt, Describe, Quantile,
# Corr, GroupBy rank). Run with /usr/bin/python3 (pandas) from this directory.
import json, math
import numpy as np
import pandas as pd

rng = np.random.default_rng(12)
n = 240
x = np.round(rng.normal(10, 3, n), 3)
x[rng.choice(n, 20, replace=False)] = np.nan
y = np.round(x * 0.5 + rng.normal(0, 2, n), 3)
y[rng.choice(n, 15, replace=False)] = np.nan
z = np.round(rng.exponential(2, n), 3)
g = rng.choice(["a", "b", "c", "zoë"], n)
v = rng.integers(0, 6, n).astype(float)
v[rng.choice(n, 10, replace=False)] = np.nan
ts = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.cumsum(rng.integers(0, 40, n)), unit="min")
s = rng.choice(["apple", "pear", "fig", "日本"], n)
df = pd.DataFrame({"x": x, "y": y, "z": z, "g": g, "v": v, "ts": ts, "s": s})

def clean(a):
    return [None if (isinstance(e, float) and math.isnan(e)) else e for e in a]

out = {
    "x": clean(list(x)), "y": clean(list(y)), "z": list(z), "g": list(g), "v": clean(list(v)),
    "ts": [int(t.value // 1000) for t in ts], "s": list(s),
    "rolling_std_5": clean(list(df.x.rolling(5).std())),
    "rolling_std_5_min2": clean(list(df.x.rolling(5, min_periods=2).std())),
    "rolling_std_2h": clean(list(df.rolling("2h", on="ts").x.std())),
    "rolling_mean_7": clean(list(df.x.rolling(7).mean())),
    "skew": clean([df.x.skew(), df.y.skew(), df.z.skew()]),
    "kurt": clean([df.x.kurt(), df.y.kurt(), df.z.kurt()]),
    "describe": {c: clean(list(df[c].describe())) for c in ["x", "y", "z"]},
    "describe_s": [str(e) for e in df.s.describe()],
    "quantiles": {str(q): clean([df.x.quantile(q), df.y.quantile(q)]) for q in [0, 0.1, 0.5, 0.9, 1]},
    "corr": clean(list(df[["x", "y", "z"]].corr().values.ravel())),
    "cov": clean(list(df[["x", "y", "z"]].cov().values.ravel())),
    "group_corr": {k: (None if math.isnan(d.x.corr(d.y)) else d.x.corr(d.y)) for k, d in df.groupby("g")},
    "group_skew": {k: d.x.skew() for k, d in df.groupby("g")},
    "group_quantile": {k: d.x.quantile(0.3) for k, d in df.groupby("g")},
    "rank": {m: clean(list(df.groupby("g").v.rank(method=m))) for m in ["average", "min", "max", "first", "dense"]},
    "mode_v": list(df.v.mode()),
}
with open("window_fixtures.json", "w") as f:
    json.dump(out, f, allow_nan=False)
