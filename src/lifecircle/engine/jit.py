"""Compiled loops for the engine's inner kernels (numba), typed for the rest of the package.

Numba compiles a kernel on its first call and keeps the machine code in a cache file beside the
module (or in the user's cache folder when that is read-only), so only the first run on a
machine pays the compile (``benchmarks/README.md`` gives the figure); every later process loads
it in milliseconds. Kernels take and return numpy arrays and scalars only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])


def kernel(fn: F) -> F:
    """Compile ``fn`` in nopython mode, cached on disk, releasing the GIL while it runs."""
    return cast(F, numba.njit(cache=True, nogil=True)(fn))
