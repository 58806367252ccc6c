#!/usr/bin/env python3
"""db-benchmark groupby questions on Dask (threaded scheduler).
usage: groupby_dask.py FILE.csv [mem|e2e] [q1,q2,...]
mem: persist the table first, then time each question; e2e: each question reads the CSV.
One line per question: 'groupby/qN seconds=S rows=R chk=C', where chk is the sum of
every numeric cell of the answer, key columns included.
godask copy (issue 12): adds gcumsum, gquantile, q9corr, pivot on the groupby table and, on the
tables of `bench gen windows` in $TSDATA (default data/ts), roll, resample, asof, read from the
CSV copies that `bench gen windows -dir $TSDATA -csv` writes (ts_csv/, quotes_csv/)."""
import os, pandas as pd
import sys, time, dask, dask.dataframe as dd
path = sys.argv[1]; mode = sys.argv[2] if len(sys.argv) > 2 else "mem"
dask.config.set(scheduler="threads")
dtypes = {"id4": "int64", "id5": "int64", "id6": "int64", "v1": "int64", "v2": "int64", "v3": "float64"}
def load():
    return dd.read_csv(path, dtype=dtypes)
x = load()
if mode == "mem":
    t = time.time(); x = x.persist(); print(f"groupby/load seconds={time.time()-t:.3f}", flush=True)
G = dict(dropna=False, observed=True)
Q = {
 "q1": lambda x: x.groupby("id1", **G).agg({"v1": "sum"}),
 "q2": lambda x: x.groupby(["id1", "id2"], **G).agg({"v1": "sum"}),
 "q3": lambda x: x.groupby("id3", **G).agg({"v1": "sum", "v3": "mean"}),
 "q4": lambda x: x.groupby("id4", **G).agg({"v1": "mean", "v2": "mean", "v3": "mean"}),
 "q5": lambda x: x.groupby("id6", **G).agg({"v1": "sum", "v2": "sum", "v3": "sum"}),
 "q7": lambda x: x.groupby("id3", **G).agg({"v1": "max", "v2": "min"}).assign(range_v1_v2=lambda d: d["v1"] - d["v2"])[["range_v1_v2"]],
 "q10": lambda x: x.groupby(["id1", "id2", "id3", "id4", "id5", "id6"], **G).agg({"v3": "sum", "v1": "size"}),
 "gcumsum": lambda x: x.groupby("id1").v1.cumsum().to_frame(),
 "gquantile": lambda x: x.groupby("id2").v3.apply(lambda s: s.quantile(0.9), meta=("v3", "f8")).to_frame(),
 "q9corr": lambda x: x[["id2", "id4", "v1", "v2"]].groupby(["id2", "id4"]).apply(lambda d: pd.Series({"r2": d.v1.corr(d.v2) ** 2}), meta={"r2": "f8"}),
 "pivot": lambda x: x.assign(id4=x.id4.astype("category")).categorize(columns=["id4"]).pivot_table(index="id1", columns="id4", values="v1", aggfunc="sum"),
 "roll": lambda t: t.v.rolling(100, min_periods=1).mean().to_frame(),
 "resample": lambda t: t.set_index("ts", sorted=True).v.resample("1h").mean().to_frame(),
 # on the ts index (sorted, so known divisions): merge_asof on a column of unknown divisions pads the
 # right side per partition out of order ("right keys must be sorted").
 "asof": lambda t: dd.merge_asof(t.set_index("ts", sorted=True), QUOTES.set_index("ts"), left_index=True, right_index=True,
                                 direction="backward")[["g", "v", "q"]],
}
TSQ = {"roll", "resample", "asof"}
names = sys.argv[3].split(",") if len(sys.argv) > 3 else [k for k in Q if k not in TSQ]
if TSQ & set(names):
    d = os.environ.get("TSDATA", "data/ts")
    t = time.time()
    # CSV copies (bench gen windows -dir D -csv): this Dask reads Parquet only with pyarrow, not installed here.
    TS = dd.read_csv(d + "/ts_csv/*.csv", parse_dates=["ts"], dtype={"g": "int64", "v": "float64"}).persist()
    QUOTES = dd.read_csv(d + "/quotes_csv/*.csv", parse_dates=["ts"], dtype={"q": "float64"}).compute().sort_values("ts")
    print(f"groupby/tsload seconds={time.time()-t:.3f}", flush=True)
# REPEAT=N: each question N times in this process, the median time (as
# `bench groupby -repeat N`); the answer checked is the last run's.
repeat = max(1, int(os.environ.get("REPEAT", "1")))
for name in names:
    times = []
    for _ in range(repeat):
        t = time.time()
        src = TS if name in TSQ else (x if mode == "mem" else load())
        r = Q[name](src).compute().reset_index(drop=name in ("gcumsum", "roll", "asof"))
        times.append(time.time() - t)
    times.sort()
    dt = times[len(times) // 2] if len(times) % 2 else (times[len(times) // 2 - 1] + times[len(times) // 2]) / 2
    chk = r.select_dtypes("number").sum().sum()
    print(f"groupby/{name} seconds={dt:.3f} rows={len(r)} chk={chk:.10g}", flush=True)
