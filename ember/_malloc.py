"""Process-wide glibc malloc settings for training loops; ``EMBER_MALLOC_TUNING=0`` turns them off.

A training step allocates and frees the same large arrays (activations, gradients) every
iteration. With glibc's defaults, blocks above the mmap threshold are mapped and unmapped each
time, and a freed heap top above the trim threshold is returned to the OS, so every step pays
page faults for fresh pages again. Raising both thresholds keeps that memory in the process for
reuse; peak memory is unchanged (the pages were resident at the peak anyway), but memory freed
after a peak stays with the process instead of going back to the OS.

NOTE: a LeNet-5 step at batch 64 took 14.7 ms with the defaults and ~11 ms with these settings
(PERF-NOTES.md); README's Speed section has the measurement on the bench machine. The settings
apply to the whole process (PyTorch, if imported too, allocates from the same malloc), which is
why they are announced here and can be switched off before ``import ember``.
"""

from __future__ import annotations

import ctypes
import os
import sys

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 << 20  # glibc's maximum on 64-bit; bigger blocks are still mapped
TRIM_THRESHOLD = 512 << 20
TOP_PAD = 16 << 20

tuned = False  # whether ember changed malloc's settings in this process


def tune() -> bool:
    """Apply the settings once (glibc on Linux only); returns whether they are in effect."""
    global tuned
    if tuned or os.environ.get("EMBER_MALLOC_TUNING", "1") == "0":
        return tuned
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, ...): leave malloc alone
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    ok = ok and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    ok = ok and mallopt(_M_TOP_PAD, TOP_PAD)
    tuned = bool(ok)
    return tuned
