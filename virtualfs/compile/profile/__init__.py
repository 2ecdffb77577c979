"""Profiles compiled: the statistics of columns of warehouse relations, as one query.

``request`` says what is asked (relations, columns and dtypes, a time window), ``query``
builds the one query computing it, ``grid`` the relation of a view's aggregation values at a
grid of times. Reading the result back is the ``virtualfs.profiles`` flow's.
"""

from virtualfs.compile.profile.query import DISTRIBUTION, build_profile_query
from virtualfs.compile.profile.request import (
    BINS,
    BY_DTYPE,
    QUANTILES,
    TOP_VALUES,
    Bins,
    ProfileColumn,
    ProfileRelation,
    ProfileRequest,
    stat_column,
)

__all__ = ["BINS", "BY_DTYPE", "DISTRIBUTION", "QUANTILES", "TOP_VALUES", "Bins", "ProfileColumn",
           "ProfileRelation", "ProfileRequest", "build_profile_query", "stat_column"]
