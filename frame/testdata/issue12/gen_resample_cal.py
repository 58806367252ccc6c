#!/usr/bin/env python3
"""Fixtures of Resample over calendar frequencies (issue 12): pandas'
resample(freq).agg() of resample_cal_input.csv for the frequencies below.
Run from this directory with /usr/bin/python3."""
import numpy as np, pandas as pd
rng = np.random.default_rng(12)
n = 400
start = pd.Timestamp("2023-11-15 07:00:00").value // 1000
span = (pd.Timestamp("2025-02-20").value // 1000) - start
us = np.sort(start + rng.integers(0, span, n))
ts = pd.to_datetime(us, unit="us").astype("datetime64[us]")
v = np.round(rng.normal(10, 3, n), 3)
v[rng.integers(0, n, 20)] = np.nan
df = pd.DataFrame({"ts": ts, "v": v})
df.loc[rng.integers(0, n, 5), "ts"] = pd.NaT
df.to_csv("resample_cal_input.csv", index=False, date_format="%Y-%m-%d %H:%M:%S.%f")
FREQS = ["MS", "M", "W", "W-MON", "QS", "Q", "AS", "A", "2MS", "2M", "3W", "D"]  # pandas 1.5 names (2.2: ME, QE, YS, YE)
for f in FREQS:
    g = df.dropna(subset=["ts"]).set_index("ts").v.resample(f)
    out = pd.DataFrame({"mean": g.mean(), "sum": g.sum(), "count": g.count()}).reset_index()
    out.to_csv(f"resample_cal_{f}.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
