"""Change the sample rate of 16-bit audio, with libsoxr (through `soxr`).

espeak-ng writes 22 050 Hz and prompts must be 16 000 Hz. libsoxr's high-quality filter cuts
off below the lower of the two Nyquist frequencies, so downsampling does not fold high
frequencies back into the speech band, and its output is clipped to the 16-bit range.

Why a library: an earlier filter written here in pure Python took about 0.2 s of CPU for five
seconds of speech, holding the interpreter lock in its worker thread, so every prompt made
slowed the event loop that answers Teams and switches recording off (`bench/activities.py`).
libsoxr does the same in about a millisecond.
"""

from __future__ import annotations

from array import array

import numpy as np
import soxr


def resample(samples: array[int], from_rate: int, to_rate: int) -> array[int]:
    """The samples (typecode "h") at `to_rate` instead of `from_rate`, as a new array."""
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError("sample rates must be positive")
    if from_rate == to_rate:
        return array("h", samples)
    converted = soxr.resample(np.frombuffer(samples, dtype=np.int16), from_rate, to_rate)
    return array("h", converted.astype(np.int16, copy=False).tobytes())
