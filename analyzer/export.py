"""Export the analysis frames as CSV, Parquet or JSON files, one per frame.

CSV holds list columns (``child_keys``, ``evidence``) as JSON text; Parquet keeps
them as lists and every dtype. JSON writes each frame as one array of records,
with times as ISO 8601 strings in UTC to the nanosecond. An empty frame is an
empty array, without columns. ``read_export`` reads any of these files back with
the schema's dtypes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analyzer.api import Analysis
from analyzer.bundle.names import EXPORT_FORMATS, JSON_NAME
from analyzer.redact import Redactor
from analyzer.report.write import OutputError, staged_files
from analyzer.schema import FRAMES, conform

FORMATS = EXPORT_FORMATS


def _json_text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn list and dict columns into JSON text, for formats without lists."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if (
            values.dtype == object
            and values.map(lambda v: isinstance(v, (list, dict))).any()
        ):
            frame[column] = values.map(
                lambda v: json.dumps(v, default=str, ensure_ascii=False)
            )
    return frame


FORMULA_START = r"^'*[=+\-@\t\r]"
"""Text that a spreadsheet opening the CSV would run as a formula, once any
quotes in front are taken off. Log text can contain =HYPERLINK(...)."""


QUOTED_FORMULA = r"^'+[=+\-@\t\r]"
"""A text value that ``_quote_formulas`` gave a quote."""


def _quote_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Put a quote (') before each text value that starts like a formula, as
    spreadsheets expect; ``read_export`` takes it off again."""
    frame = frame.copy(deep=False)
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.cat.rename_categories(
                _quoted(values.cat.categories.to_series()).tolist()
            )
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            values = _quoted(values)
        frame[column] = values
    return frame


def _quoted(values: pd.Series) -> pd.Series:
    texts = values.astype("string")
    formula = texts.str.contains(FORMULA_START, regex=True).fillna(False)
    if not formula.any():
        return values
    return texts.where(~formula, "'" + texts)


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "csv":
        _quote_formulas(_json_text_columns(frame)).to_csv(path, index=False)
    else:
        frame.to_json(
            path,
            orient="records",
            date_format="iso",
            date_unit="ns",
            force_ascii=False,
            default_handler=str,
            indent=None,
        )


def export_frames(
    analysis: Analysis, folder: Path, fmt: str, redactor: Redactor | None = None
) -> list[Path]:
    """Write each frame of ``analysis.frames()`` to ``folder/NAME.EXT``, redacted
    by ``redactor`` when one is given."""
    if fmt not in FORMATS:
        raise ValueError(
            f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}"
        )
    if fmt == "json":
        _keep_report_findings(folder)
    with staged_files(folder, "export") as staging:
        for name, frame in analysis.frames().items():
            if redactor is not None:
                frame = redactor.frame(frame)
            _write(frame, staging.path(f"{name}.{fmt}"), fmt)
    return staging.finals


def _keep_report_findings(folder: Path) -> None:
    """Raise OutputError where the export's findings.json (an array of findings)
    would replace a report's (an object with the verdict)."""
    path = folder / JSON_NAME
    try:
        with path.open("rb") as file:
            start = file.read(64).lstrip()
    except OSError:
        return
    if start.startswith(b"{"):
        raise OutputError(
            f"{path} is the findings file of a report, which the export's "
            f"{JSON_NAME} would replace; export to another folder with -o."
        )


def read_export(path: Path | str) -> pd.DataFrame:
    """Read a file that ``export_frames`` wrote back into its frame, with the
    columns and dtypes of the schema.

    The file name gives the frame and the format (``messages.csv``). CSV and JSON
    carry no dtypes, so plain ``pandas.read_csv`` turns an all-digit queue ID such
    as 0123456789 into a number. Here every column is read as text and then cast
    to the schema's dtypes.
    """
    path = Path(path)
    name, fmt = path.stem, path.suffix.removeprefix(".")
    if name not in FRAMES or fmt not in FORMATS:
        raise ValueError(
            f"{path}: not a file that export writes; expected NAME.FORMAT with NAME "
            f"one of {', '.join(FRAMES)} and FORMAT one of {', '.join(FORMATS)}"
        )
    if fmt == "parquet":
        return conform(name, _read_parquet(path, name))
    if fmt == "json":
        _check_export_json(path)
        # The default float parser gives 1.7000000000000002 for 1.7.
        frame = pd.read_json(path, orient="records", dtype=False, precise_float=True)
    else:
        # NOTE: CSV writes a missing value and an empty text alike, so an empty
        # text (the null sender of a bounce notice) reads back as missing.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        for column in frame.columns:
            quoted = frame[column].str.contains(QUOTED_FORMULA).fillna(False)
            if quoted.any():
                frame[column] = frame[column].where(~quoted, frame[column].str[1:])
    for column in FRAMES[name]:
        if column.name not in frame:
            continue
        if column.dtype == "bool" and fmt == "csv":
            frame[column.name] = frame[column.name].map({"True": True, "False": False})
        elif column.dtype == "object" and fmt == "csv":
            frame[column.name] = frame[column.name].map(
                lambda text: json.loads(text) if isinstance(text, str) else text
            )
    return conform(name, frame)


def _read_parquet(path: Path, name: str) -> pd.DataFrame:
    """Read a Parquet export with the list columns (evidence, child_keys) as
    Python lists: pandas makes NumPy arrays of them, and floats of the integers
    of a list of records that has a null."""
    table = pq.read_table(path)
    frame = table.to_pandas()
    for column in FRAMES[name]:
        if column.dtype == "object" and column.name in frame:
            values = table.column(column.name).to_pylist()
            frame[column.name] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def _check_export_json(path: Path) -> None:
    """Raise a clear error for a JSON file that is not a list of records, such
    as the findings.json of a report, which ``report`` writes."""
    with path.open("rb") as stream:
        start = stream.read(64).lstrip()
    if start.startswith(b"{"):
        raise ValueError(
            f"{path}: a JSON object, not the list of records that export writes; "
            "a report's findings.json keeps its findings under the key "
            '"findings": read it with json.load, or run mailbundle export'
        )
