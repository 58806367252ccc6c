#!/usr/bin/env python3
"""Fixture of categorical columns (issue 12): pandas' astype with known
categories (a value not among them is NaN), cat.codes, sort_values by the
category order (stable, missing last), groupby(observed=True) sums and
value_counts, and astype("category") (sorted categories), on random
strings with nulls and unicode."""
import json, random
import pandas as pd
random.seed(12)
words = ["zeta", "Zoë", "日本", "alpha", "beta", "", "ß", "emoji🙂"]
n = 300
s = [None if random.random() < 0.1 else random.choice(words) for _ in range(n)]
v = [round(random.uniform(-100, 100), 3) for _ in range(n)]
cats = ["zeta", "日本", "alpha", "Zoë", "", "ß"]  # custom order; beta, emoji missing
df = pd.DataFrame({"s": s, "v": v, "id": range(n)})
c = df["s"].astype(pd.CategoricalDtype(cats))
d = df.assign(c=c)
srt = d.sort_values("c", kind="stable", na_position="last")
g = d.groupby("c", observed=True)["v"].sum()
auto = df["s"].astype("category")
out = {
    "s": s, "v": v, "cats": cats,
    "codes": [int(x) for x in c.cat.codes],
    "sorted_id": [int(x) for x in srt["id"]],
    "group_keys": [str(k) for k in g.index], "group_sums": [float(x) for x in g.values],
    "auto_cats": [str(x) for x in auto.cat.categories],
    "auto_codes": [int(x) for x in auto.cat.codes],
    "vc_keys": [str(k) for k in c.value_counts().index], "vc_counts": [int(x) for x in c.value_counts().values],
}
json.dump(out, open("categorical.json", "w"), ensure_ascii=False)
