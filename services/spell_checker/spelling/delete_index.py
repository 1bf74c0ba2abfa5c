"""A compact symmetric-delete index: which dictionary words are filed under which deletes.

Symmetric-delete spelling search files every dictionary word under its deletes, which for
100,000 words is millions of keys: as a Python dict of strings that is hundreds of MiB. Here
a key is its 64-bit string hash, and the map is sorted numpy arrays (distinct hashes, where
each hash's run of owners starts, the owners). A hash collision can only add a candidate,
which ranking then verifies against the real word, never lose one.

Every word is filed under two kinds of keys, kept in one array so that one binary search
serves both (numpy's per-call overhead, not the search, is what costs on a few probes):

- near keys: the word itself and its one-letter deletes, which find every word one edit
  away from a typo looked up under itself and its one-letter deletes;
- far keys: the deletes of up to two letters of its first `prefix` letters (SymSpell's
  prefix trick), which find words up to two edits away.

In each key's run the near owners come first, then the far owners.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable, Sequence

import numpy as np

# Beyond every real hash: a probe's binary search always lands on a key, possibly this one.
_SENTINEL = np.iinfo(np.int64).max


def deletes(word: str) -> list[str]:
    """`word` with one letter left out, each way."""
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def deletes_up_to_two(word: str) -> list[str]:
    """`word` itself and it with one or two letters left out (repeated letters give
    repeats)."""
    found = [word]
    for i in range(len(word)):
        once = word[:i] + word[i + 1 :]
        found.append(once)
        # Leaving out i and then j >= i of what is left covers each pair of positions once.
        found.extend([once[:j] + once[j + 1 :] for j in range(i, len(once))])
    return found


def _counted(counts: array[int], items: Collection[str]) -> Collection[str]:
    """`items`, their number appended to `counts` on the way."""
    counts.append(len(items))
    return items


def runs(values: np.ndarray, begins: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The concatenated runs values[begins[k]:begins[k] + sizes[k]] for every k."""
    total = int(sizes.sum())
    if not total:
        return values[:0]
    offsets = np.repeat(begins - np.cumsum(sizes) + sizes, sizes)
    return values[offsets + np.arange(total)]


class DeleteIndex:
    def __init__(self, words: Sequence[str], prefix: int) -> None:
        """Index `words`; a word is known by its position."""
        # Built in whole numpy arrays: collecting millions of entries as Python objects
        # would leave the heap fragmented (RSS held) long after loading.
        # Python's str hash is salted per process, which is fine: the index never leaves it.
        near_counts = array("i")
        near_keys = np.fromiter(
            (
                hash(key)
                for word in words
                for key in _counted(near_counts, dict.fromkeys([word, *deletes(word)]))
            ),
            dtype=np.int64,
        )
        # Words sharing a prefix share its far keys: hashed once per prefix.
        groups: dict[str, int] = {}
        group_of = np.fromiter(
            (groups.setdefault(word[:prefix], len(groups)) for word in words),
            dtype=np.int64,
            count=len(words),
        )
        group_sizes: array[int] = array("i")
        group_keys = np.fromiter(
            (
                hash(key)
                for group in groups
                for key in _counted(group_sizes, dict.fromkeys(deletes_up_to_two(group)))
            ),
            dtype=np.int64,
        )
        del groups
        sizes = np.frombuffer(group_sizes, dtype=np.int32).astype(np.int64)
        group_starts = np.cumsum(sizes) - sizes
        far_sizes = sizes[group_of]
        far_keys = runs(group_keys, group_starts[group_of], far_sizes)
        numbers = np.arange(len(words), dtype=np.int32)
        near_owners = np.repeat(numbers, np.frombuffer(near_counts, dtype=np.int32))
        all_keys = np.concatenate((near_keys, far_keys))
        del near_keys, far_keys, group_keys
        # Stable: within one key, near entries (listed first) stay before far ones.
        order = np.argsort(all_keys, kind="stable")
        sorted_keys = all_keys[order]
        del all_keys
        self._owners = np.concatenate((near_owners, np.repeat(numbers, far_sizes)))[order]
        is_near = order < len(near_owners)
        del order, near_owners
        firsts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        distinct = sorted_keys[firsts]
        # A binary search over a million keys misses the CPU cache at every step, which costs
        # more than all the rest of a lookup: instead the top bits of a hash pick a bucket of
        # about two keys, and a probe compares the few keys from its bucket's start on.
        bits = max(1, int(np.log2(max(len(distinct), 1))))
        self._shift = 64 - bits
        self._bucket_offset = 1 << (bits - 1)
        buckets = (distinct >> self._shift) + self._bucket_offset
        self._bucket_starts = np.searchsorted(buckets, np.arange(2**bits)).astype(np.int32)
        width = int(np.diff(np.r_[self._bucket_starts, len(distinct)]).max(initial=1))
        self._steps = np.arange(width, dtype=np.int32)
        # Sentinels after the last key (with empty runs) keep every window inside the arrays.
        self._keys = np.r_[distinct, np.full(width, _SENTINEL)]
        total = len(sorted_keys)
        # Key k's run: [start k, near_end k) its near owners, then [near_end k, start k+1)
        # its far owners; kept interleaved (start, near_end, start, ...) in one array, so that
        # a near run is bounds[2k:2k+2] and a far run bounds[2k+1:2k+3]: one gather serves
        # near and far probes alike.
        near_sizes = np.add.reduceat(is_near, firsts, dtype=np.int32)
        bounds = np.full((len(self._keys) + 1, 2), total, dtype=np.int32)  # sentinels: empty
        bounds[: len(firsts), 0] = firsts
        bounds[: len(firsts), 1] = firsts + near_sizes
        self._bounds = bounds.ravel()

    def __len__(self) -> int:
        return len(self._owners)

    @property
    def nbytes(self) -> int:
        arrays = (self._keys, self._bucket_starts, self._bounds, self._owners)
        return sum(a.nbytes for a in arrays)

    def lookup(
        self, near_probes: Sequence[str], far_probes: Iterable[str]
    ) -> tuple[list[int], np.ndarray]:
        """The words filed under any of `near_probes` by a near key (distinct, ascending),
        and those filed under any of `far_probes` by a far key (repeats included)."""
        hashes = np.fromiter(map(hash, [*near_probes, *far_probes]), dtype=np.int64)
        starts = self._bucket_starts[(hashes >> self._shift) + self._bucket_offset]
        # Keys are distinct: at most one in each probe's window equals it.
        probes, steps = np.nonzero(self._keys[starts[:, None] + self._steps] == hashes[:, None])
        # Probes come out in order, near ones first.
        begins = 2 * (starts[probes] + steps) + (probes >= len(near_probes))
        sizes = self._bounds[begins + 1] - self._bounds[begins]
        owners = runs(self._owners, self._bounds[begins], sizes)
        near = int(sizes[: int(np.searchsorted(probes, len(near_probes)))].sum())
        return sorted(set(owners[:near].tolist())), owners[near:]
