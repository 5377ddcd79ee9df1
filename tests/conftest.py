"""Shared fixtures: sample bundles, their truth files and archive conversions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import py7zr
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "bundles"
TRUTH = ROOT / "samples" / "truth"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"

ARCHIVE_FORMATS = ("dir", "tar", "tar.gz", "tgz", "tar.bz2", "tar.xz", "zip", "7z")


def sample_names() -> list[str]:
    return sorted(p.name.removesuffix(".tar.gz") for p in SAMPLES.glob("*.tar.gz"))


# Samples whose messages or counts the analyzer does not match yet, with the
# mismatch. Only the tests that compare messages or counts mark them, as strict
# xfail, so a fix shows up as an unexpected pass.
COUNT_MISMATCHES: dict[str, str] = {}


def mismatch_marks(name: str) -> list[pytest.MarkDecorator]:
    """Return the strict xfail mark of a sample in COUNT_MISMATCHES, else none."""
    if name not in COUNT_MISMATCHES:
        return []
    return [pytest.mark.xfail(strict=True, reason=COUNT_MISMATCHES[name])]


def sample_cases(names: list[str]) -> list:
    """Return NAMES as pytest parameters, with COUNT_MISMATCHES marked xfail."""
    return [pytest.param(name, marks=mismatch_marks(name)) for name in names]


def truth(name: str) -> dict:
    return json.loads((TRUTH / f"{name}.json").read_text())


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(
            f"the shared corpus is not at {CORPUS}; clone the project next to it"
        )
    return CORPUS


def unpack_sample(name: str, target: Path) -> Path:
    """Unpack a sample bundle into ``target``, keeping member times."""
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(SAMPLES / f"{name}.tar.gz") as archive:
        archive.extractall(target, filter="data")
    return target


def convert_sample(name: str, fmt: str, workdir: Path) -> Path:
    """Return the sample bundle ``name`` repacked as ``fmt`` under ``workdir``."""
    folder = unpack_sample(name, workdir / f"{name}-unpacked")
    if fmt == "dir":
        return folder
    if fmt == "tar.gz":
        path = workdir / f"{name}.tar.gz"
        shutil.copy2(SAMPLES / f"{name}.tar.gz", path)
        return path
    path = workdir / f"{name}.{fmt}"
    if fmt in ("tar", "tgz", "tar.bz2", "tar.xz"):
        mode = {"tar": "w", "tgz": "w:gz", "tar.bz2": "w:bz2", "tar.xz": "w:xz"}[fmt]
        with tarfile.open(path, mode) as archive:
            for member in sorted(folder.rglob("*")):
                archive.add(
                    member,
                    arcname=member.relative_to(folder).as_posix(),
                    recursive=False,
                )
    elif fmt == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in sorted(folder.rglob("*")):
                if member.is_file():
                    archive.write(member, member.relative_to(folder).as_posix())
    elif fmt == "7z":
        with py7zr.SevenZipFile(path, "w") as archive:
            for member in sorted(folder.rglob("*")):
                if member.is_file():
                    archive.write(member, member.relative_to(folder).as_posix())
    else:
        raise ValueError(fmt)
    return path


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MAILBUNDLE_PASSWORD", None)
    return env


def pdf_text(path: Path) -> str:
    """Return the text of a PDF as pdftotext (poppler-utils) extracts it."""
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
