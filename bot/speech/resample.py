"""Change the sample rate of 16-bit audio with a windowed-sinc polyphase filter, in pure Python.

espeak-ng writes 22 050 Hz and prompts must be 16 000 Hz. The filter cuts off just below the
lower of the two Nyquist frequencies, so downsampling does not fold high frequencies back into
the speech band.
"""

from __future__ import annotations

import math
from array import array
from functools import lru_cache
from operator import mul

TAPS_EACH_SIDE = 8
"""Input samples weighed on each side of an output sample's position."""

CUTOFF_SHARE_OF_NYQUIST = 0.9
"""Where the low-pass filter cuts off, as a share of the lower Nyquist frequency."""

_INT16_MIN, _INT16_MAX = -32768, 32767


def _windowed_sinc(distance: float, cutoff: float) -> float:
    """The filter's weight for an input sample `distance` samples away; `cutoff` in cycles/2."""
    hann = 0.5 * (1.0 + math.cos(math.pi * distance / TAPS_EACH_SIDE))
    if distance == 0.0:
        return cutoff * hann
    angle = math.pi * cutoff * distance
    return cutoff * math.sin(angle) / angle * hann


@lru_cache(maxsize=8)
def _phase_filters(up: int, down: int) -> tuple[tuple[float, ...], ...]:
    """For each of the `up` phases, the taps applied to the input samples around it.

    Each phase's taps are scaled to sum to one, so silence stays silence and levels hold.
    """
    cutoff = CUTOFF_SHARE_OF_NYQUIST * min(1.0, up / down)
    filters = []
    for phase in range(up):
        offset = phase / up
        taps = [
            _windowed_sinc(offset - k, cutoff)
            for k in range(-TAPS_EACH_SIDE + 1, TAPS_EACH_SIDE + 1)
        ]
        total = math.fsum(taps)
        filters.append(tuple(tap / total for tap in taps))
    return tuple(filters)


def resample(samples: array[int], from_rate: int, to_rate: int) -> array[int]:
    """The samples (typecode "h") at `to_rate` instead of `from_rate`, as a new array."""
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError("sample rates must be positive")
    if from_rate == to_rate:
        return array("h", samples)
    common = math.gcd(from_rate, to_rate)
    up, down = to_rate // common, from_rate // common
    filters = _phase_filters(up, down)
    silence = [0] * TAPS_EACH_SIDE
    padded = [*silence, *samples, *silence]
    span = 2 * TAPS_EACH_SIDE
    resampled = array("h", bytes(2 * (len(samples) * up // down)))
    for index in range(len(resampled)):
        base, phase = divmod(index * down, up)
        level = sum(map(mul, filters[phase], padded[base + 1 : base + 1 + span]))
        resampled[index] = max(_INT16_MIN, min(_INT16_MAX, round(level)))
    return resampled
