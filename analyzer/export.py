"""Export the analysis frames as CSV, Parquet or JSON files, one per frame.

CSV holds list columns (``child_keys``, ``evidence``) as JSON text; Parquet keeps
them as lists and every dtype. JSON writes each frame as one array of records,
with times as ISO 8601 strings in UTC to the nanosecond. ``pandas.read_json``
reads them back, but turns into times only columns named like dates
(``arrival_time``): apply ``pandas.to_datetime`` to ``time``, ``first_seen`` and
the others. An empty frame is an empty array, without columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analyzer.api import Analysis
from analyzer.redact import Redactor
from analyzer.report.write import OutputError, check_output_folder

FORMATS = ("csv", "parquet", "json")


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


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "csv":
        _json_text_columns(frame).to_csv(path, index=False)
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
    check_output_folder(folder)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in analysis.frames().items():
            if redactor is not None:
                frame = redactor.frame(frame)
            path = folder / f"{name}.{fmt}"
            _write(frame, path, fmt)
            written.append(path)
    except OSError as error:
        raise OutputError(
            f"{folder}: cannot write the export ({error.strerror}); choose another "
            "folder with -o."
        ) from error
    return written
