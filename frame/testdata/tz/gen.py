# Fixtures for frame/tz_type_test.go, from pandas (1.5.3):
#   /usr/bin/python3 gen.py  (writes localize.csv and fields.csv here)
import numpy as np, pandas as pd
zones = ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
walls = ["2024-03-31 01:59:59", "2024-03-31 02:00:00", "2024-03-31 02:30:00", "2024-03-31 03:00:00",
         "2024-10-27 01:59:59", "2024-10-27 02:00:00", "2024-10-27 02:30:00", "2024-10-27 03:00:00",
         "2024-03-10 02:15:00", "2024-03-10 03:00:00", "2024-11-03 01:00:00", "2024-11-03 01:59:59", "2024-11-03 02:00:00",
         "2024-04-07 01:45:00", "2024-04-07 02:00:00", "2024-10-06 02:00:00", "2024-10-06 02:15:00", "2024-10-06 02:30:00",
         "1969-12-31 23:30:00", "2024-07-01 12:00:00"]
amb = {"raise": "raise", "earliest": True, "latest": False, "NaT": "NaT"}
nonex = ["raise", "shift_forward", "shift_backward", "NaT"]
rows = []
for z in zones:
    for w in walls:
        for an, av in amb.items():
            for nn in nonex:
                s = pd.Series(pd.to_datetime([w]))
                try:
                    r = s.dt.tz_localize(z, ambiguous=np.array([av]) if isinstance(av, bool) else av, nonexistent=nn)
                    v = "" if pd.isna(r[0]) else str(r[0].value // 1000)
                except Exception as e:
                    v = "ERR"
                rows.append((z, w, an, nn, v))
pd.DataFrame(rows, columns=["zone", "wall", "ambiguous", "nonexistent", "us"]).to_csv("localize.csv", index=False)
rng = np.random.default_rng(12)
inst = list(rng.integers(-2_000_000_000, 2_000_000_000, 60) * 1_000_000 + rng.integers(0, 1_000_000, 60))
for w in ["2024-03-31 00:59:59", "2024-03-31 01:00:00", "2024-10-27 00:30:00", "2024-10-27 01:30:00", "2024-03-10 06:59:59",
          "2024-03-10 07:00:00", "2024-11-03 05:30:00", "2024-11-03 06:30:00", "2024-04-06 14:45:00", "2024-04-06 15:15:00",
          "2024-10-05 15:45:00", "2024-10-05 15:15:00"]:
    inst.append(pd.Timestamp(w).value // 1000)
rows = []
for z in zones:
    s = pd.Series(pd.to_datetime(np.array(inst, dtype="int64") * 1000, utc=True)).dt.tz_convert(z)
    for i, t in enumerate(s):
        try:
            fl = str(pd.Series([t]).dt.floor("H")[0].value // 1000)
        except Exception:
            fl = "ERR"
        try:
            fd = str(pd.Series([t]).dt.floor("D")[0].value // 1000)
        except Exception:
            fd = "ERR"
        rows.append((z, inst[i], t.hour, t.minute, t.day, t.month, t.year, t.dayofweek, fl, fd, t.strftime("%Y-%m-%d %H:%M:%S %z")))
pd.DataFrame(rows, columns=["zone", "us", "hour", "minute", "day", "month", "year", "dayofweek", "floor_h", "floor_d", "strftime"]).to_csv("fields.csv", index=False)
