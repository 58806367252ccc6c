"""Writes the Blosc fixture stores of io/zarr's tests with python zarr 2
and numcodecs (Debian: apt-get install python3-zarr python3-numcodecs).
Run once from this directory; the tests read the committed stores and do not
need python. The expected values are recomputed by the Go tests from the
same formulas."""
import os
import shutil

import numpy as np
import zarr
from numcodecs import Blosc


def store(name, data, chunks, compressor, fill_value=0, keep=None):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    shutil.rmtree(path, ignore_errors=True)
    z = zarr.open(path, mode="w", shape=data.shape, chunks=chunks, dtype=data.dtype,
                  compressor=compressor, fill_value=fill_value, order="C")
    if keep is None:
        z[...] = data
    else:
        z[keep] = data[keep]  # the other chunks are never written


# f8, lz4 with byte shuffle (python zarr's default compressor); split streams.
i = np.arange(20 * 30, dtype="<f8").reshape(20, 30)
store("blosc_lz4_f8", (i * 0.25 - 7) % 11, (8, 16), Blosc("lz4", 5, Blosc.SHUFFLE))
# i8, zstd with byte shuffle; 320 KB chunks in several Blosc blocks.
store("blosc_zstd_i8", np.arange(50000, dtype="<i8") * 3 - 7, (40000,), Blosc("zstd", 3, Blosc.SHUFFLE))
# f4, lz4 without shuffle.
i = np.arange(10 * 10 * 6, dtype="<f4").reshape(10, 10, 6)
store("blosc_noshuffle_f4", (i % 17) * 0.5, (4, 4, 6), Blosc("lz4", 5, Blosc.NOSHUFFLE))
# f8, lz4 with bit shuffle.
i = np.arange(100 * 20, dtype="<f8").reshape(100, 20)
store("blosc_bitshuffle_f8", (i % 19) - 4.5, (64, 20), Blosc("lz4", 5, Blosc.BITSHUFFLE))
# c-blosc 1 leaves a block of a count of elements that is not a multiple of 8
# as it is, bit shuffle or not.
store("blosc_bitshuffle_odd_f8", (i % 19) - 4.5, (63, 20), Blosc("lz4", 5, Blosc.BITSHUFFLE))
# b1, lz4 (byte shuffle of 1-byte elements is a no-op); several blocks.
i = np.arange(300000)
store("blosc_lz4_b1", (i * 7919) % 13 == 0, (200000,), Blosc("lz4", 5, Blosc.SHUFFLE))
# f8 zlib, and i8 snappy when this Blosc has them.
i = np.arange(12 * 7, dtype="<f8").reshape(12, 7)
store("blosc_zlib_f8", i / 3, (5, 7), Blosc("zlib", 4, Blosc.SHUFFLE))
store("blosc_snappy_i8", np.arange(1000, dtype="<i8") // 3, (300,), Blosc("snappy", 5, Blosc.SHUFFLE))
# Missing chunks: fill_value -1.5, only the top-left chunk written.
i = np.arange(10 * 10, dtype="<f8").reshape(10, 10)
store("fill_f8", i, (5, 5), Blosc("lz4", 5, Blosc.SHUFFLE), fill_value=-1.5,
      keep=(slice(0, 5), slice(0, 5)))
# Missing chunk with fill_value null: reads as zeros.
store("fill_null_i8", np.arange(6, dtype="<i8") + 1, (3,), None, fill_value=None, keep=slice(0, 3))
# blosclz, which the Go reader refuses with an error naming it.
store("blosc_blosclz_f8", np.arange(10, dtype="<f8"), (5,), Blosc("blosclz", 5, Blosc.SHUFFLE))
