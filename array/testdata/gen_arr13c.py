#!/usr/bin/python3
"""Fixtures for shapeops/index/einsum/linalg tests: numpy 1.24 answers.
Inputs are regenerated in Go: x = OFFSET + arange(prod(shape)).reshape(shape) (int64)."""
import json, numpy as np
OFF = 2**60
out = {"numpy": np.__version__, "pad": [], "index": [], "einsum": []}
def X(shape): return (OFF + np.arange(int(np.prod(shape)), dtype=np.int64)).reshape(shape)
for shape in [(5,), (4, 3), (1, 6), (3,)]:
    for mode in ["constant", "edge", "reflect", "symmetric", "wrap"]:
        for w in [(0, 0), (1, 2), (3, 0), (7, 9)]:
            width = [w] * len(shape)
            kw = {"constant_values": 7} if mode == "constant" else {}
            y = np.pad(X(shape), width, mode=mode, **kw)
            out["pad"].append({"shape": shape, "mode": mode, "width": w, "out_shape": y.shape, "out": [str(v) for v in y.ravel()]})
exprs = ["0,", "::9223372036854775807", "::-9223372036854775807", "-9223372036854775808:9223372036854775807:4611686018427387904",
         "None, :", ":, None", "..., None", "None, ..., 1", "[0, -1, 2]", ":, [2, 0, 0, -1]", "[4, 1], 2", "1, [2, 1]",
         "[1, 3], :, 1", ":, [0], 2", "1, :, [3, 3, 0]", "None, [1], None, 0", "[], :", "[True, False, True, False, True], 1",
         "::-2, [1, 2]", "..., [0, 2]", "2:0:-1, None, [3]", "-1, -1, -1", "4:1:-1, ::3"]
for e in exprs:
    x = X((5, 4, 4))
    try:
        y = eval("x[" + e + "]")
        out["index"].append({"expr": e, "shape": [5, 4, 4], "out_shape": list(np.shape(y)), "out": [str(v) for v in np.ravel(y)]})
    except Exception as ex:
        out["index"].append({"expr": e, "shape": [5, 4, 4], "error": str(ex)})
out["ops"] = []
def op(name, shape, args, f):
    y = f(X(shape))
    out["ops"].append({"op": name, "shape": list(shape), "args": args, "out_shape": list(np.shape(y)), "out": [str(v) for v in np.ravel(y)]})
for sh in [(3,), (1, 4, 1), (2, 3)]:
    for r in [0, 1, 3]:
        for ax in range(len(sh)):
            op("repeat", sh, [r, ax], lambda x: np.repeat(x, r, axis=ax))
    for reps in [[2], [0], [2, 1], [1, 3, 2], [2, 2]]:
        op("tile", sh, reps, lambda x: np.tile(x, reps))
    op("squeeze", sh, [], lambda x: np.squeeze(x))
    op("argwhere", sh, [], lambda x: np.argwhere(x % 3 == 1))
    for ax in range(len(sh)):
        op("nonzero", sh, [ax], lambda x: np.nonzero(x % 3 == 1)[ax])
for sh in [(4,), (1,), (0,)]:
    for k in [-3, -1, 0, 2]:
        op("diag", sh, [k], lambda x: np.diag(x, k))
for sh in [(4, 6), (5, 2), (3, 3), (2, 3, 4)]:
    for k in [-7, -2, 0, 1, 3]:
        if len(sh) == 2:
            op("diag", sh, [k], lambda x: np.diag(x, k))
        op("tril", sh, [k], lambda x: np.tril(x, k))
        op("triu", sh, [k], lambda x: np.triu(x, k))
for sh, to in [((3,), [2, 3]), ((2, 1), [2, 4]), ((1,), [3, 1, 2]), ((), [2, 2]), ((2, 1, 3), [4, 2, 5, 3])]:
    op("broadcast_to", sh, to, lambda x: np.broadcast_to(x, to))
for a in [(0, 10, 3), (10, 0, -3), (-2**63, 2**63 - 1, 2**62), (2**63 - 1, -2**63, -2**61 - 1), (5, 5, 1), (2**60, 2**60 + 5, 1)]:
    y = np.arange(a[0], a[1], a[2], dtype=np.int64) if abs(a[1]-a[0]) < 2**62 else np.array([a[0] + i*a[2] for i in range(len(range(*a)))], dtype=np.int64)
    assert len(y) == len(range(*a))
    out["ops"].append({"op": "arange", "shape": [], "args": [str(v) for v in a], "out_shape": [len(y)], "out": [str(v) for v in y]})
rng = np.random.default_rng(13)
ecases = [("ij,ij->i", [(7, 5), (7, 5)]), ("ij,jk->ik", [(6, 4), (4, 5)]), ("ij,jk", [(3, 9), (9, 2)]),
          ("ii->i", [(5, 5)]), ("ii", [(4, 4)]), ("ij->", [(6, 3)]), ("ij->ji", [(4, 7)]), ("i,i", [(8,), (8,)]),
          ("i,j->ij", [(3,), (4,)]), ("ijk,jil->kl", [(3, 4, 5), (4, 3, 2)]), ("bij,bjk->bik", [(3, 4, 5), (3, 5, 2)]),
          ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("...i,...i", [(3, 4), (1, 4)]), ("ij,jk,kl->il", [(5, 6), (6, 3), (3, 7)]),
          ("iij->j", [(3, 3, 4)]), ("ij,i->j", [(5, 1), (5,)]), ("i,i,i->", [(6,), (6,), (6,)]), ("ab,bc,cd,de->ae", [(2, 8), (8, 3), (3, 9), (9, 2)]),
          ("ji,kj", [(4, 3), (2, 4)]), ("ij,kl->", [(2, 3), (4, 1)]), ("i->i", [(0,)]), ("ij,jk->ik", [(0, 3), (3, 2)]), ("ij,jk->ik", [(2, 0), (0, 3)]),
          ("...,...->...", [(2, 3), (3,)]), ("Ab,bA->A", [(3, 4), (4, 3)])]
for subs, shapes in ecases:
    ins = [rng.standard_normal(sh) for sh in shapes]
    y = np.einsum(subs, *ins)
    out["einsum"].append({"subs": subs, "shapes": [list(s) for s in shapes], "inputs": [list(map(float, a.ravel())) for a in ins],
                          "out_shape": list(np.shape(y)), "out": list(map(float, np.ravel(y)))})
out["einsum_errors"] = []
for subs, shapes in [("ij,jk->ik", [(3, 4), (5, 2)]), ("ij->ik", [(3, 3)]), ("ij", [(3,)]), ("ij,jk", [(2, 2)]), ("i->ii", [(3,)]), ("i#->i", [(3, 3)]), ("...ij->ij", [(2, 3, 4)]), ("ii->i", [(3, 4)])]:
    try:
        np.einsum(subs, *[np.ones(s) for s in shapes]); out["einsum_errors"].append({"subs": subs, "shapes": shapes, "ok": True})
    except Exception as e:
        out["einsum_errors"].append({"subs": subs, "shapes": shapes, "error": str(e)})
print(out["einsum_errors"])
json.dump(out, open("numpy_arr13c.json", "w"))
