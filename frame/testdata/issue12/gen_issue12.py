# Fixtures for frame/issue12_*_test.go, computed with pandas:
#   python3 frame/testdata/issue12/gen_issue12.py frame/testdata/issue12
import sys, numpy as np, pandas as pd
out = sys.argv[1]
rng = np.random.default_rng(12)
n = 60
df = pd.DataFrame({
    "k": rng.integers(0, 4, n),
    "p": rng.choice(["cash", "card", "Zoë"], n),
    "h": rng.integers(0, 3, n),
    "v": np.round(rng.normal(10, 3, n), 3),
    "w": rng.integers(-5, 5, n).astype(float),
})
df.loc[rng.random(n) < 0.15, "v"] = np.nan
df.loc[rng.random(n) < 0.15, "w"] = np.nan
df.to_csv(f"{out}/input.csv", index=False)
for agg in ["mean", "sum", "count", "max"]:
    pt = df.pivot_table(index="k", columns="p", values="v", aggfunc=agg)
    pt.columns = [str(c) for c in pt.columns]
    pt.reset_index().to_csv(f"{out}/pivot_{agg}.csv", index=False)
m = df.melt(id_vars=["k"], value_vars=["v", "w"])
m.to_csv(f"{out}/melt.csv", index=False)
df[["v", "w"]].ffill().to_csv(f"{out}/ffill.csv", index=False)
df[["v", "w"]].bfill().to_csv(f"{out}/bfill.csv", index=False)
df.dropna(thresh=3, subset=["v", "w", "k"]).to_csv(f"{out}/dropna_thresh3.csv", index=False)
df.dropna(how="all", subset=["v", "w"]).to_csv(f"{out}/dropna_all.csv", index=False)
df.dropna().to_csv(f"{out}/dropna_any.csv", index=False)
df[["v", "w"]].clip(lower=5, upper=12).to_csv(f"{out}/clip.csv", index=False)
