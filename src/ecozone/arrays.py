"""Arrow columns as NumPy arrays, without pyarrow's ``to_numpy`` (which imports pandas, a
quarter of a second per process; measured on pyarrow 26).

Only what the engine and the import use: null-free fixed-width numbers.  One chunk is a
zero-copy view; several are concatenated once.  Anything else (nulls, booleans, strings) goes
through pyarrow's own conversion.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_DTYPES = {pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32, pa.int64(): np.int64,
           pa.uint8(): np.uint8, pa.uint16(): np.uint16, pa.uint32(): np.uint32, pa.uint64(): np.uint64,
           pa.float32(): np.float32, pa.float64(): np.float64}


def to_numpy(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a null-free numeric Arrow array (or chunked array) as one NumPy array."""
    if isinstance(column, pa.ChunkedArray):
        chunks = [to_numpy(c) for c in column.chunks]
        if len(chunks) == 1:
            return chunks[0]
        dtype = _DTYPES.get(column.type)
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype or np.float64)
    dtype = _DTYPES.get(column.type)
    if dtype is None or column.null_count:
        return np.asarray(column.to_numpy(zero_copy_only=False))
    data = column.buffers()[1]
    if data is None:
        return np.zeros(0, dtype)
    return np.frombuffer(data, dtype=dtype, count=len(column), offset=column.offset * np.dtype(dtype).itemsize)
