"""Load the templates of the corpus and the sample bundles, with an on-disk cache."""

from __future__ import annotations

import hashlib
import logging
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from loggen.grouping import group_units
from loggen.sources import SourceFile, read_bundles, read_corpus, scenario_name
from loggen.templates import Template, build_template

logger = logging.getLogger(__name__)

# Bump when grouping or tokenizing changes, so that old caches are not reused.
CACHE_VERSION = 4


@dataclass
class Library:
    """Templates by origin: the real corpus, and each sample bundle scenario."""

    corpus: list[Template] = field(default_factory=list)
    scenarios: dict[str, list[Template]] = field(default_factory=dict)
    dropped_units: int = 0
    dropped_lines: int = 0
    sources: list[str] = field(default_factory=list)


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256(str(CACHE_VERSION).encode())
    for path in sorted(paths):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def load_library(corpus_dir: Path, bundle_dir: Path, cache_dir: Path | None) -> Library:
    """Read, group and tokenize every source, or reuse the cache of identical inputs."""
    inputs = [p for p in corpus_dir.iterdir() if p.is_file()]
    inputs += list(bundle_dir.glob("*.tar.gz"))
    cache = None
    if cache_dir is not None:
        cache = cache_dir / f"templates-{_fingerprint(inputs)}.pickle"
        if cache.exists():
            with cache.open("rb") as handle:
                library: Library = pickle.load(handle)
            return library
    library = Library()
    for source in read_corpus(corpus_dir):
        library.corpus.extend(_templates(source, library))
    for source in read_bundles(bundle_dir):
        templates = _templates(source, library)
        library.scenarios.setdefault(scenario_name(source), []).extend(templates)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("wb") as handle:
            pickle.dump(library, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return library


def _templates(source: SourceFile, library: Library) -> list[Template]:
    library.sources.append(source.name)
    templates = []
    for unit in group_units(source.records):
        template = build_template(source, unit)
        if template is None:
            library.dropped_units += 1
            library.dropped_lines += len(unit.indices)
        else:
            templates.append(template)
    return templates
