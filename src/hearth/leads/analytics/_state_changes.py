"""NumPy core of `temperature.transitions`, run over chunks of subscribers.

Why not one Polars query: the query held every event's float time, sort permutation and
per-touch-day frame with its shifted columns at once, several times the size of the input
event columns. Here events are split by subscriber *value* ranges (every event of one
subscriber lands in the same chunk), each chunk is reduced to touch days and state changes
with NumPy, and only the small change arrays are kept. Peak memory is then the input plus
the output plus one chunk's working set, whatever the number of events.

The float arithmetic is exactly that of the rule (float local-wall-clock days, `floor`,
`day + 1 - t`, `≤` comparisons), in the same order, so results do not depend on chunking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from hearth.leads.analytics._time import SECONDS_PER_DAY, epoch_days_expr

MIN_CHUNK_EVENTS, MAX_CHUNK_EVENTS = 1 << 15, 1 << 19
# Physical codes of the state Enum ["new", "warm", "cooling", "cold"].
NEW, WARM, COOLING, COLD = 0, 1, 2, 3
_SAMPLE_PER_CHUNK = 256  # sampled keys per chunk when placing chunk boundaries
_LABEL_BLOCK = 1 << 18  # events labelled per step


@dataclass(frozen=True)
class StateChanges:
    """Change rows as parallel arrays, sorted by subscriber key then day."""

    keys: np.ndarray  # subscriber keys (values for integer ids, 1-based dense ranks otherwise)
    days: np.ndarray  # int32 local epoch days
    from_codes: np.ndarray  # uint8 state codes
    to_codes: np.ndarray  # uint8 state codes


def state_codes(silence: np.ndarray, warm_days: float, cold_days: float) -> np.ndarray:
    """Silence (days) → state code; same comparisons as `TemperatureRule.state_expr`."""
    codes = np.full(silence.shape, WARM, dtype=np.uint8)
    codes += silence > warm_days  # cooling or cold
    codes += silence > cold_days  # cold (cold_days > warm_days, so already counted once)
    return codes


def subscriber_keys(column: pl.Series) -> tuple[np.ndarray, pl.Series | None]:
    """Sortable integer key per event, plus the sorted distinct values if keys are ranks.

    Integer ids are their own keys (a zero-copy view when the column is contiguous); other
    types (strings, …) become 1-based dense ranks in the column's own sort order.
    """
    if column.null_count():
        raise ValueError("subscriber column holds nulls")
    if column.dtype.is_integer():
        return column.to_numpy(), None
    return column.rank("dense").to_numpy(), column.unique().sort()


def chunk_bounds(keys: np.ndarray, chunk_events: int) -> np.ndarray:
    """Sorted cut values splitting `keys` into chunks of about `chunk_events` events each.

    Cuts are quantiles of an evenly strided sample, so chunks hold similar event counts
    however ids are spread; chunk i is [cut[i-1], cut[i]) (open-ended at both ends).
    """
    if chunk_events < 1:
        raise ValueError("chunk_events must be positive")
    parts = -(-keys.size // chunk_events)
    if parts <= 1:
        return keys[:0]
    sample = np.sort(keys[:: max(1, keys.size // (parts * _SAMPLE_PER_CHUNK))])
    return np.unique(sample[(np.arange(1, parts) * sample.size) // parts])


def automatic_chunk_events(events: int) -> int:
    """About 32 chunks, each of 32 Ki–512 Ki events.

    The working set is ~80 bytes per chunk event, so chunks must be small next to the input
    (16 bytes per event) yet not so small that the per-chunk pass over all labels dominates.
    """
    return min(max(-(-events // 32), MIN_CHUNK_EVENTS), MAX_CHUNK_EVENTS)


def state_changes(
    keys: np.ndarray,
    times: pl.Series,
    *,
    warm_days: float,
    cold_days: float,
    last_day: float,
    time_zone: str,
    chunk_events: int | None = None,
) -> Iterator[StateChanges]:
    """All state changes up to `last_day`, one batch per chunk of subscribers, in key order.

    Batches are yielded rather than concatenated so the caller can hand each to Polars
    (zero-copy) and never hold the changes twice. See `temperature.transitions`.
    """
    valid = times.is_not_null().to_numpy() if times.null_count() else None
    if chunk_events is None:
        chunk_events = automatic_chunk_events(keys.size)
    cuts = chunk_bounds(keys, chunk_events)
    epoch_days = _epoch_days_reader(times, time_zone)
    labels = None if valid is None and not cuts.size else chunk_labels(keys, cuts, valid)
    for chunk in range(cuts.size + 1):
        selected = None if labels is None else np.flatnonzero(labels == chunk)
        chunk_keys = keys if selected is None else keys[selected]
        t = epoch_days(selected)
        del selected
        yield StateChanges(*_chunk_changes(chunk_keys, t, warm_days, cold_days, last_day))
        del chunk_keys, t


def _epoch_days_reader(
    times: pl.Series, time_zone: str
) -> Callable[[np.ndarray | None], np.ndarray]:
    """Function: event indices (None: all) → float local days, as `epoch_days_expr` computes.

    UTC microsecond times (the common case) are read straight from the column's integers,
    with the same float operations, so no Polars frame is built per chunk.
    """
    if (
        time_zone == "UTC"
        and times.dtype == pl.Datetime("us", "UTC")
        and not times.null_count()
        and times.n_chunks() == 1
    ):
        micros = times.to_physical().to_numpy()

        def from_micros(selected: np.ndarray | None) -> np.ndarray:
            days = (micros if selected is None else micros[selected]).astype(np.float64)
            days /= SECONDS_PER_DAY * 1e6
            return days

        return from_micros

    def with_polars(selected: np.ndarray | None) -> np.ndarray:
        chunk = times if selected is None else times.gather(selected)
        frame = pl.DataFrame({"at": chunk})
        return frame.select(epoch_days_expr("at", time_zone)).to_series().to_numpy()

    return with_polars


def chunk_labels(keys: np.ndarray, cuts: np.ndarray, valid: np.ndarray | None) -> np.ndarray:
    """Chunk number of every event, in the smallest unsigned type (1 byte for ≤ 254 chunks).

    Computed block by block so no full-length int64 temporary exists; then selecting a
    chunk is one pass over these small labels. Events without a time get a label past the
    last chunk, so no chunk selects them.
    """
    skip = cuts.size + 1
    labels = np.empty(keys.size, dtype=np.min_scalar_type(skip))
    for begin in range(0, keys.size, _LABEL_BLOCK):
        block = slice(begin, begin + _LABEL_BLOCK)
        labels[block] = np.searchsorted(cuts, keys[block], side="right")
    if valid is not None:
        labels[~valid] = skip
    return labels


def _last_touch_per_day(
    keys: np.ndarray, t: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(subscriber, day, latest t) per touch day, sorted by subscriber then day.

    One integer sort on a packed (subscriber, day) key when it fits in 63 bits (much faster
    than a lexsort on two columns); the day's last touch is then a `maximum.reduceat`.
    """
    low_key, high_key = int(keys.min()), int(keys.max())
    low_day = int(day.min())
    width = int(day.max()) - low_day + 1
    if (high_key - low_key + 1) * width < 2**62 and high_key < 2**63:
        packed = keys.astype(np.int64) - low_key
        packed *= width
        packed += day.astype(np.int64) - low_day
        order = np.argsort(packed)
        packed = packed[order]
        starts = np.flatnonzero(packed[1:] != packed[:-1]) + 1
    else:  # ids too far apart to pack: sort on both columns
        order = np.lexsort((day, keys))
        packed = None
        same_key = keys[order]
        same_day = day[order]
        starts = np.flatnonzero((same_key[1:] != same_key[:-1]) | (same_day[1:] != same_day[:-1]))
        starts += 1
        del same_key, same_day
    del packed
    starts = np.concatenate([[0], starts])
    t_sorted = t[order]
    latest = np.maximum.reduceat(t_sorted, starts)
    del t_sorted
    firsts = order[starts]
    return keys[firsts], latest, day[firsts]


def _chunk_changes(
    keys: np.ndarray, t: np.ndarray, warm_days: float, cold_days: float, last_day: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """State changes of the subscribers of one chunk, as (keys, days, from, to) arrays."""
    day = np.floor(t)
    keep = day <= last_day
    if not keep.all():
        keys, t, day = keys[keep], t[keep], day[keep]
    del keep
    if not keys.size:
        empty = np.empty(0, np.uint8)
        return keys, np.empty(0, np.int32), empty, empty
    keys, t, day = _last_touch_per_day(keys, t, day)

    first = np.empty(keys.size, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    previous_t = np.roll(t, 1)  # meaningful where not `first`
    next_day = np.roll(day, -1)
    next_day[np.roll(first, -1)] = np.inf  # a subscriber's last touch day: gap never ends

    def state(silence: np.ndarray) -> np.ndarray:
        return state_codes(silence, warm_days, cold_days)

    entry_from = np.where(first, np.uint8(NEW), state(day - previous_t))
    entry_to = state(day + 1 - t)
    del previous_t, first
    at_warm = np.floor(t + warm_days)
    at_cold = np.floor(t + cold_days)
    in_gap = (at_warm > day) & (at_warm < next_day) & (at_warm <= last_day)
    in_cold_gap = (at_cold > day) & (at_cold < next_day) & (at_cold <= last_day)
    in_cold_gap &= at_cold != at_warm  # both thresholds crossed on one day: one change
    del next_day
    warm_from, warm_to = state(at_warm - t), state(at_warm + 1 - t)
    cold_from, cold_to = state(at_cold - t), state(at_cold + 1 - t)
    # Per touch day the changes come in day order: entry, W crossing, C crossing; touch days
    # are sorted, so row-major flattening keeps (subscriber, day) order without a sort.
    kept = np.stack(
        [
            entry_from != entry_to,
            in_gap & (warm_from != warm_to),
            in_cold_gap & (cold_from != cold_to),
        ],
        axis=1,
    ).ravel()
    rows = np.flatnonzero(kept)
    del kept, in_gap, in_cold_gap
    change_days = np.stack([day, at_warm, at_cold], axis=1).ravel()[rows].astype(np.int32)
    from_codes = np.stack([entry_from, warm_from, cold_from], axis=1).ravel()[rows]
    to_codes = np.stack([entry_to, warm_to, cold_to], axis=1).ravel()[rows]
    return keys[rows // 3], change_days, from_codes, to_codes
