"""dbt-style refreshes: declared per view, scheduled, incremental, all-or-nothing."""

from virtualfs.refresh.runner import RefreshRequest, RefreshResult, RefreshRunner

__all__ = ["RefreshRequest", "RefreshResult", "RefreshRunner"]
