#!/usr/bin/env python3
"""Per-task scheduler overhead: N independent trivial delayed tasks summed by a
tree, on dask threads; the graph of shared/peers/overhead_dask.py, extended to
several sizes and to godask's bench line format.

    overhead_dask.py 100000            # N leaves, the original's line
    overhead_dask.py -sizes 1e4,1e5    # task counts, one bench line each
"""
import sys, time, dask
from dask import delayed
dask.config.set(scheduler="threads")
inc = lambda x: x + 1
add = lambda a, b: a + b


def once(n):
    t = time.time()
    xs = [delayed(inc)(i) for i in range(n)]
    while len(xs) > 1:
        xs = [delayed(add)(xs[i], xs[i + 1]) if i + 1 < len(xs) else xs[i] for i in range(0, len(xs), 2)]
    tb = time.time() - t
    t = time.time(); r = xs[0].compute(); tc = time.time() - t
    return 2 * n - 1, tb, tc, r


if len(sys.argv) > 2 and sys.argv[1] == "-sizes":
    for s in sys.argv[2].split(","):
        n = max(1, (int(float(s)) + 1) // 2)
        ntasks, tb, tc, r = once(n)
        print(f"overhead/tree tasks={ntasks} seconds={tb + tc:.4f} build_us={tb / ntasks * 1e6:.3f} "
              f"run_us={tc / ntasks * 1e6:.3f} per_task_us={tc / ntasks * 1e6:.3f} result={r}")
else:
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    ntasks, tb, tc, r = once(N)
    print(f"tasks={ntasks} build={tb:.3f}s compute={tc:.3f}s per_task={tc/ntasks*1e6:.1f}us result={r}")
