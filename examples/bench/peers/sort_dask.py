#!/usr/bin/env python3
"""The "sort" question of the groupby suite on Dask (threaded scheduler):
df.sort_values("v3") persisted, after the table is persisted.
usage: sort_dask.py FILE.csv
One line: 'groupby/sort seconds=S rows=R chk=C' (chk: sum of v3)."""
import sys, time, dask, dask.dataframe as dd
path = sys.argv[1]
dask.config.set(scheduler="threads")
dtypes = {"id4": "int64", "id5": "int64", "id6": "int64", "v1": "int64", "v2": "int64", "v3": "float64"}
x = dd.read_csv(path, dtype=dtypes)
t = time.time(); x = x.persist(); print(f"groupby/load seconds={time.time()-t:.3f}", flush=True)
t = time.time()
s = x.sort_values("v3").persist()

dt = time.time() - t
rows, chk = dask.compute(s.shape[0], s["v3"].sum())
print(f"groupby/sort seconds={dt:.3f} rows={rows} chk={chk:.10g}", flush=True)
