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
from analyzer.report.write import JSON_NAME, OutputError, staged_files

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
    if fmt == "json":
        _keep_report_findings(folder)
    with staged_files(folder, "export") as staging:
        for name, frame in analysis.frames().items():
            if redactor is not None:
                frame = redactor.frame(frame)
            _write(frame, staging.path(f"{name}.{fmt}"), fmt)
    return staging.finals


def _keep_report_findings(folder: Path) -> None:
    """Refuse to replace a report's findings.json (an object with the verdict)
    with the export's (an array of findings)."""
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
