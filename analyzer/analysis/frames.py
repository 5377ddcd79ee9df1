"""Turn merged log events into the pandas frames analysts use."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from analyzer.parse.texts import TextStore

CATEGORY_COLUMNS = (
    "host",
    "program",
    "instance",
    "service",
    "daemon",
    "kind",
    "rule",
    "source",
)


def events_frame(events: pa.Table) -> pd.DataFrame:
    """Return the events table as a DataFrame with categorical low-cardinality columns."""
    frame = events.drop_columns(["member"]).to_pandas()
    for column in CATEGORY_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype("category")
    frame["pid"] = frame["pid"].where(frame["pid"] >= 0).astype("Int64")
    frame.index = pd.RangeIndex(len(frame), name="event")
    return frame


TEXT_STORE = "text_store"
"""Key of the events frame's ``attrs`` entry that contains its ``TextStore``. pandas
passes attrs on to every frame and column taken from the events."""
TEXT_ROW = "text_row"
"""Column of the events frame that gives each event's row in the text store."""


def line_texts(frame: pd.DataFrame, rows: npt.ArrayLike | None = None) -> pd.Series:
    """Return the text of the events in ``frame``, a frame taken from the events
    frame, as a "string" Series with the frame's index. With ``rows`` (positions
    or a mask), only those rows are read. A frame without text rows, such as
    ``Analysis.events``, gives its "text" column."""
    positions = None
    if rows is not None:
        positions = np.asarray(rows)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
    if TEXT_ROW not in frame or TEXT_STORE not in frame.attrs:
        texts = frame["text"]
        return texts if positions is None else texts.iloc[positions]
    store: TextStore = frame.attrs[TEXT_STORE]
    text_rows = frame[TEXT_ROW].to_numpy()
    index = frame.index
    if positions is not None:
        text_rows = text_rows[positions]
        index = index[positions]
    values = store.take(text_rows)
    return pd.Series(pd.arrays.ArrowStringArray(values), index=index, name="text")


def add_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame``, taken from the events frame, with a "text" column: for
    rules that read the text of a few events as they group them."""
    return frame.assign(text=line_texts(frame))


def attach_texts(frame: pd.DataFrame, store: TextStore, text_rows: np.ndarray) -> None:
    """Give the events ``frame`` its texts: ``line_texts`` then reads them."""
    frame[TEXT_ROW] = text_rows
    frame.attrs[TEXT_STORE] = store


def with_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the events ``frame`` with a "text" column in place of its text rows."""
    result = frame.drop(columns=[TEXT_ROW])
    result.insert(len(result.columns), "text", line_texts(frame))
    result.attrs.pop(TEXT_STORE, None)
    return result


def fields_frame(table: pa.Table | None, columns: list[str]) -> pd.DataFrame:
    """Return a per-kind field table as a DataFrame indexed by event number."""
    if table is None or table.num_rows == 0:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="event"))
    frame = table.to_pandas()
    for column in columns:
        if column not in frame:
            frame[column] = None
    # Field tables follow rule order within each chunk; events are in time order.
    return frame.set_index("event")[columns].sort_index(kind="stable")


def split_peer(values: pd.Series) -> pd.DataFrame:
    """Split ``name[address]:port`` into name, address and port columns."""
    parts = values.str.extract(
        r"^(?P<name>[^\[\]]*)(?:\[(?P<ip>[^\]]*)\])?(?::(?P<port>\d+))?$"
    )
    parts["port"] = pd.to_numeric(parts["port"], errors="coerce").astype("Int64")
    return parts


def to_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64")


def first_valid(values: pd.Series) -> object:
    valid = values.dropna()
    return valid.iloc[0] if len(valid) else None


def arrow_strings(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """Return an Arrow string array as a pandas "string" Series without copying."""
    chunked = (
        values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    )
    return chunked.to_pandas(
        types_mapper={
            pa.string(): pd.StringDtype(),
            pa.large_string(): pd.StringDtype(),
        }.get
    )


def arrow_text(values: pd.Series) -> pa.Array:
    """Return strings, categorical or not, as one Arrow string array."""
    array = pa.array(values.array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array.cast(pa.string())


def take(
    values: pd.Series, positions: np.ndarray
) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Return ``values`` at ``positions``, keeping its dtype (tz-aware times included)."""
    return values.array.take(positions)


def take_decoded(
    values: pd.Series, positions: np.ndarray
) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Return ``values`` at ``positions``, a categorical of strings as "string".

    The frames the analysis returns contain such columns as "string", and decoding
    here through Arrow is faster than a later cast of the categorical.
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return take(values, positions)
    codes = values.cat.codes.to_numpy()[positions]
    categories = pa.array(values.cat.categories.to_numpy(dtype=object), pa.string())
    return arrow_strings(categories.take(pa.array(codes, mask=codes < 0))).array


def take_category(values: pd.Series, positions: np.ndarray) -> pd.Categorical:
    """Return a categorical ``values`` at ``positions``, with only the categories used."""
    codes = values.cat.codes.to_numpy()[positions]
    subset = pd.Categorical.from_codes(codes, dtype=values.dtype)
    return subset.remove_unused_categories()


def per_distinct(
    values: pd.Series, convert: Callable[[pd.Series], pd.Series]
) -> pd.api.extensions.ExtensionArray:
    """Apply ``convert`` once per distinct value and spread the results over the rows.

    ``convert`` gets the distinct non-missing values and returns one result for
    each. Missing values come out missing.
    """
    codes, uniques = pd.factorize(values)
    converted = convert(pd.Series(uniques))
    return converted.array.take(codes, allow_fill=True)
