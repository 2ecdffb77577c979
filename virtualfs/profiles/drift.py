"""Drift between two profiles of the same features: pure arithmetic on their numbers.

Per feature present in both:

- **PSI**, the population stability index ``sum((c - b) * ln(c / b))`` over the shares ``b`` of
  the baseline and ``c`` of the current profile in the baseline's categories: its histogram
  bins plus one bin below and one above them (numbers), or its top values plus "every other
  value" (strings, booleans). A share of 0 counts as 0.0001, so a category one side lacks
  weighs heavily but finitely. Exact when the current profile was counted in the baseline's
  bins (``compare_profiles`` does that); otherwise its own histogram is spread evenly within
  each of its bins onto the baseline's, and ``exact`` is false. Timestamps have none.
- the change of null fraction and of mean (current minus baseline).

Flags (``Thresholds``): ``psi`` above 0.2 (the usual reading: under 0.1 stable, 0.1-0.2 a
moderate shift, above 0.2 a significant one); ``null_fraction`` when it moved by more than
0.05 (five percentage points); ``mean`` when it moved by more than 0.25 baseline standard
deviations (a boolean's: ``sqrt(p (1 - p))`` of its share ``p`` of true values; any move, when
the baseline has no spread).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from virtualfs.definitions import DType
from virtualfs.profiles.model import FeatureProfile, Histogram, Profile

if TYPE_CHECKING:
    import pandas as pd

FLOOR = 1e-4
COLUMNS = ("feature", "dtype", "psi", "null_fraction_baseline", "null_fraction_current",
           "null_fraction_change", "mean_baseline", "mean_current", "mean_change", "flags", "exact")


@dataclass(frozen=True)
class Thresholds:
    """Above these a change is flagged: PSI, absolute change of null fraction, and change of
    mean in baseline standard deviations."""

    psi: float = 0.2
    null_fraction: float = 0.05
    mean_stddevs: float = 0.25


@dataclass(frozen=True)
class FeatureDrift:
    """One feature's drift; ``flags`` names each threshold it crossed."""

    feature: str
    dtype: str
    psi: float | None
    null_fraction_baseline: float | None
    null_fraction_current: float | None
    mean_baseline: float | None
    mean_current: float | None
    flags: tuple[str, ...]
    exact: bool

    @property
    def null_fraction_change(self) -> float | None:
        return _change(self.null_fraction_baseline, self.null_fraction_current)

    @property
    def mean_change(self) -> float | None:
        return _change(self.mean_baseline, self.mean_current)

    def to_dict(self) -> dict[str, Any]:
        found = {name: getattr(self, name) for name in COLUMNS}
        return {**found, "flags": list(self.flags)}


@dataclass(frozen=True)
class DriftReport:
    """Per feature of both profiles, how the current one moved from the baseline."""

    baseline: str
    current: str
    features: tuple[FeatureDrift, ...]
    thresholds: Thresholds

    @property
    def drifted(self) -> list[str]:
        """The features with at least one flag."""
        return [f.feature for f in self.features if f.flags]

    def to_pandas(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([f.to_dict() for f in self.features], columns=list(COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "current": self.current, "thresholds": vars(self.thresholds),
                "features": [f.to_dict() for f in self.features]}


def compare(baseline: Profile, current: Profile, thresholds: Thresholds) -> DriftReport:
    """The drift of every feature ``current`` shares with ``baseline`` (see the module)."""
    theirs = {f.feature: f for f in current.features}
    drifts = [_feature(f, theirs[f.feature], thresholds) for f in baseline.features if f.feature in theirs]
    return DriftReport(_named(baseline), _named(current), tuple(drifts), thresholds)


def _feature(baseline: FeatureProfile, current: FeatureProfile, thresholds: Thresholds) -> FeatureDrift:
    psi, exact = _psi(baseline, current)
    flags = []
    if psi is not None and psi > thresholds.psi:
        flags.append("psi")
    moved = _change(baseline.null_fraction, current.null_fraction)
    if moved is not None and abs(moved) > thresholds.null_fraction:
        flags.append("null_fraction")
    shift = _change(baseline.mean, current.mean)
    if shift is not None and abs(shift) > thresholds.mean_stddevs * _stddev(baseline):
        flags.append("mean")
    return FeatureDrift(baseline.feature, baseline.dtype.value, psi, baseline.null_fraction,
                        current.null_fraction, baseline.mean, current.mean, tuple(flags), exact)


def _stddev(profile: FeatureProfile) -> float:
    """The spread a mean moves against: a boolean's is its share's, ``sqrt(p (1 - p))``."""
    if profile.dtype == DType.BOOL and profile.mean is not None:
        return math.sqrt(profile.mean * (1 - profile.mean))
    return profile.stddev or 0.0


def _psi(baseline: FeatureProfile, current: FeatureProfile) -> tuple[float | None, bool]:
    if not baseline.count or not current.count:
        return None, True
    if baseline.histogram is not None and current.histogram is not None:
        mine, exact = _binned(baseline.histogram, current.histogram)
        return psi([0, *baseline.histogram.counts, 0], mine), exact
    if baseline.top_values:
        return _categorical(baseline, current)
    return None, True


def _binned(baseline: Histogram, current: Histogram) -> tuple[list[float], bool]:
    """``current``'s counts in ``baseline``'s bins, with one bin below and one above them."""
    if current.edges == baseline.edges:
        return [current.below, *current.counts, current.above], True
    found = [0.0] * (len(baseline.counts) + 2)
    edges = baseline.edges
    for low, high, count in zip(current.edges, current.edges[1:], current.counts, strict=False):
        if count:
            for slot, share in _spread(low, high, edges):
                found[slot] += count * share
    found[0] += current.below
    found[-1] += current.above
    return found, False


def _spread(low: float, high: float, edges: Sequence[float]) -> list[tuple[int, float]]:
    """How much of ``[low, high)``, taken as even, falls below, in each of, and above ``edges``."""
    if high <= low:  # a bin of one value: slot 0 is below the edges, slot len(edges) above
        above = low > edges[-1]
        return [(len(edges) if above else min(bisect.bisect_right(edges, low), len(edges) - 1), 1.0)]
    bounds = [-math.inf, *edges, math.inf]
    shares = []
    for slot, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        overlap = min(high, b) - max(low, a)
        if overlap > 0:
            shares.append((slot, overlap / (high - low)))
    return shares


def _categorical(baseline: FeatureProfile, current: FeatureProfile) -> tuple[float, bool]:
    values = [v for v, _ in baseline.top_values]
    theirs = dict(current.top_values)
    exact = all(v in theirs for v in values)  # counted for the baseline's values
    mine = [theirs.get(v, 0) for v in values]
    base = [n for _, n in baseline.top_values]
    return psi([*base, baseline.count - sum(base)], [*mine, current.count - sum(mine)]), exact


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """The population stability index of ``actual`` against ``expected`` (counts per category).

    >>> psi([50, 50], [50, 50])
    0.0
    >>> round(psi([90, 10], [50, 50]), 3)
    0.879
    """
    total_e, total_a = sum(expected), sum(actual)
    found = 0.0
    for e, a in zip(expected, actual, strict=True):
        share_e, share_a = max(e / total_e, FLOOR), max(a / total_a, FLOOR)
        if e or a:
            found += (share_a - share_e) * math.log(share_a / share_e)
    return found


def _change(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _named(profile: Profile) -> str:
    window = ""
    if profile.start is not None or profile.end is not None:
        window = f" [{_time(profile.start)}, {_time(profile.end)})"
    return profile.target + window


def _time(value: Any) -> str:
    return "..." if value is None else value.isoformat()
