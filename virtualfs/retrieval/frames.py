"""Arrow features -> pandas columns with the dtypes promised for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd


def features_to_pandas(inputs: pd.DataFrame, features: pa.Table) -> pd.DataFrame:
    """``inputs`` (kept as they are, index included) with ``features`` added as columns, by position.

    int64 -> Int64 and bool -> boolean (nullable), string -> string, timestamps stay
    ``datetime64[us, UTC]``, float64 stays float64 (NaN for null).
    """
    import pandas as pd

    converted = arrow_to_pandas(features)
    converted.index = inputs.index  # rows match by position; the indexes are then equal, not aligned
    return pd.concat([inputs, converted], axis=1)


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """``table`` as pandas with the dtypes promised for features (see :func:`features_to_pandas`)."""
    import pandas as pd

    mapping = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype()}
    return table.to_pandas(types_mapper=mapping.get)
