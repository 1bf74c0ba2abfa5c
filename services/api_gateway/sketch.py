"""A bounded latency sketch: counts in fixed log-spaced buckets.

Why not the raw durations: a busy route would keep millions of floats a day per row. Why this
and not a t-digest: fixed buckets are exact to MERGE (add the arrays), so two replicas flush
into the same row with one SQL upsert, and the admin's group=route|user sums rows of many
principals or days the same way. Each bucket is 10 % wider than the one below it, starting at
0.1 ms: a quantile is reported as its bucket's geometric middle, within ±5 % of the truth,
from 0.1 ms to ~6 minutes in 160 buckets (a bigint array of 160 per row).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

FIRST_MS = 0.1
RATIO = 1.1
BUCKETS = 160
_LOG = math.log(RATIO)


def bucket_of(ms: float) -> int:
    """The bucket a duration falls in: 0 for <= FIRST_MS, the last for anything beyond."""
    if ms <= FIRST_MS:
        return 0
    return min(BUCKETS - 1, 1 + int(math.log(ms / FIRST_MS) / _LOG))


def bucket_middle_ms(index: int) -> float:
    if index == 0:
        return FIRST_MS
    low = FIRST_MS * RATIO ** (index - 1)
    return low * math.sqrt(RATIO)


def empty() -> list[int]:
    return [0] * BUCKETS


def merge(into: list[int], other: Sequence[int]) -> list[int]:
    """Add ``other`` into ``into`` (a shorter or empty ``other`` counts as zeros)."""
    for i, n in enumerate(other[:BUCKETS]):
        into[i] += n
    return into


def quantile_ms(buckets: Sequence[int], q: float) -> float | None:
    """The ``q`` quantile (0 < q <= 1) of the durations counted; None when there are none."""
    total = sum(buckets)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for index, n in enumerate(buckets):
        seen += n
        if seen >= rank:
            return round(bucket_middle_ms(index), 3)
    return round(bucket_middle_ms(len(buckets) - 1), 3)
