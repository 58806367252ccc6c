#!/usr/bin/env python3
"""Fixture of SplitList, ListLen, ListGet and Explode (issue 12): pandas'
str.split, str.len, str.get and explode of the strings below (the test
builds the same column)."""
import json, pandas as pd
s = pd.Series(["a,b,,c", "Zoë,日本", None, "", "x", " lead, trail ", ",", "一,二,三,四,五"], dtype=object)
out = {}
for sep, n in [(",", -1), (",", 1), (None, -1), (None, 1)]:
    sp = s.str.split(sep, n=n)
    key = f"{sep or ''}|{n}"
    out[key] = {
        "lists": [None if not isinstance(v, list) else v for v in sp],
        "len": [None if pd.isna(v) else int(v) for v in sp.str.len()],
        "get0": [None if pd.isna(v) else v for v in sp.str.get(0)],
        "getm1": [None if pd.isna(v) else v for v in sp.str.get(-1)],
        "explode": [None if pd.isna(v) else v for v in sp.explode()],
        "explode_k": [int(i) for i in sp.explode().index],
    }
json.dump(out, open("split.json", "w"), ensure_ascii=False, indent=0)
