"""Export the analysis frames as CSV, Parquet or JSON files, one per frame."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analyzer.api import Analysis
from analyzer.errors import MailbundleError


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Make list and dict columns writable by every format (as JSON text)."""
    frame = frame.copy()
    for column in frame.columns:
        if (
            frame[column].dtype == object
            and frame[column].map(lambda v: isinstance(v, (list, dict))).any()
        ):
            frame[column] = frame[column].map(
                lambda v: json.dumps(v, default=str, ensure_ascii=False)
            )
    return frame


def export_frames(analysis: Analysis, folder: Path, fmt: str) -> list[Path]:
    """Write each frame of ``analysis.frames()`` to ``folder/NAME.EXT``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MailbundleError(
            f"{folder}: cannot create the export folder ({error.strerror})."
        ) from error
    written = []
    for name, frame in analysis.frames().items():
        path = folder / f"{name}.{fmt}"
        if fmt == "parquet":
            _plain(frame).to_parquet(path, index=False)
        elif fmt == "csv":
            _plain(frame).to_csv(path, index=False)
        else:
            frame.to_json(
                path,
                orient="records",
                lines=True,
                date_format="iso",
                force_ascii=False,
                default_handler=str,
            )
        written.append(path)
    return written
