"""ConsistencyReport: per feature, how what was served compares with what training frames get."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from virtualfs.consistency.compare import ABS_TOL, DIFFERENT, EQUAL, MISSING_ONLINE, REL_TOL, STALE

if TYPE_CHECKING:
    import pandas as pd

WORST = 5  # examples kept per feature


@dataclass(frozen=True)
class Mismatch:
    """One logged value that was not equal offline, with what each side had."""

    feature: str
    outcome: str
    entity: str
    requested_at: datetime
    online: Any
    offline: Any
    online_event: datetime | None
    offline_event: datetime | None
    staleness: timedelta | None = None


@dataclass(frozen=True)
class FeatureConsistency:
    """One feature (``view:feature``): logged rows compared, counted by outcome, the staleness
    of the stale ones, and the worst examples (stalest first, then the others)."""

    feature: str
    rows: int
    counts: dict[str, int] = field(hash=False)
    staleness: tuple[timedelta, ...] = ()
    worst: tuple[Mismatch, ...] = ()

    def share(self, outcome: str) -> float:
        """The share of rows with ``outcome`` (0 with no rows)."""
        return self.counts.get(outcome, 0) / self.rows if self.rows else 0.0

    @property
    def staleness_median(self) -> timedelta | None:
        return statistics.median_low(self.staleness) if self.staleness else None

    @property
    def staleness_max(self) -> timedelta | None:
        return max(self.staleness) if self.staleness else None


@dataclass(frozen=True)
class ConsistencyReport:
    """The served log of ``[since, until)`` (of ``service``) compared with offline answers.

    Example::

        report = store.consistency_report()
        report.feature("customer_orders:amount").share("equal")   # -> 1.0
        print(report.text()); report.to_html("consistency.html")
    """

    since: datetime | None
    until: datetime | None
    service: str | None
    requests: int
    features: tuple[FeatureConsistency, ...]
    # logged features whose view or feature is no longer defined: not compared
    undefined: tuple[str, ...] = ()
    tolerance: str = f"floats equal within {REL_TOL:g} relative or {ABS_TOL:g} absolute"

    def feature(self, ref: str) -> FeatureConsistency:
        """The result for ``view:feature``; KeyError naming the compared features otherwise."""
        for found in self.features:
            if found.feature == ref:
                return found
        raise KeyError(f"{ref!r} was not compared; compared: {', '.join(f.feature for f in self.features)}")

    @property
    def consistent(self) -> bool:
        """Whether every compared row was equal."""
        return all(f.counts.get(EQUAL, 0) == f.rows for f in self.features)

    def to_pandas(self) -> pd.DataFrame:
        """One row per feature: rows, the share of each outcome, and median/max staleness."""
        import pandas as pd

        return pd.DataFrame([_summary(f) for f in self.features],
                            columns=["feature", "rows", EQUAL, STALE, MISSING_ONLINE, DIFFERENT,
                                     "staleness_median", "staleness_max"])

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (times ISO, durations in seconds)."""
        return {"since": _iso(self.since), "until": _iso(self.until), "service": self.service,
                "requests": self.requests, "tolerance": self.tolerance, "undefined": list(self.undefined),
                "features": [{**_summary(f, seconds=True), "worst": [_mismatch(m) for m in f.worst]}
                             for f in self.features]}

    def text(self) -> str:
        """The report as the CLI prints it."""
        from virtualfs.consistency.text import report_text

        return report_text(self)

    def to_html(self, path: str | Path | None = None) -> str:
        """One self-contained page with a chart per feature; written to ``path`` when given."""
        from virtualfs.consistency.html import render_html

        page = render_html(self)
        if path is not None:
            Path(path).write_text(page)
        return page


def _summary(f: FeatureConsistency, seconds: bool = False) -> dict[str, Any]:
    def duration(value: timedelta | None) -> Any:
        return value.total_seconds() if seconds and value is not None else value

    return {"feature": f.feature, "rows": f.rows, **{o: f.share(o) for o in (EQUAL, STALE, MISSING_ONLINE,
                                                                            DIFFERENT)},
            "staleness_median": duration(f.staleness_median), "staleness_max": duration(f.staleness_max)}


def _mismatch(m: Mismatch) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return _iso(value) if isinstance(value, datetime) else value

    return {"outcome": m.outcome, "entity": m.entity, "requested_at": _iso(m.requested_at),
            "online": plain(m.online), "offline": plain(m.offline), "online_event": _iso(m.online_event),
            "offline_event": _iso(m.offline_event),
            "staleness": m.staleness.total_seconds() if m.staleness is not None else None}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
