"""Hostile archives: unsafe names, links, special files, duplicates and bombs.

Each test builds its archive in a temporary folder from the localhost-loop sample
plus hostile members, analyzes it with TMPDIR and the working folder inside a
watched folder, and checks three things: nothing was written outside the
working folder, the inventory states what was rejected and why, and the sample's
own finding still comes out of the rest of the bundle.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import struct
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import py7zr
import pytest

from analyzer.api import Analysis, analyze_bundle
from analyzer.bundle.inventory import InventoryEntry
from analyzer.bundle.limits import MAX_FOLDER_DEPTH, Limits, MiB
from analyzer.bundle.names import display_name, unsafe_path_reason
from tests.conftest import SAMPLES, cli_env

SAMPLE = SAMPLES / "localhost-loop.tar.gz"
FINDING = "localhost-loop"
FORMATS = ("tar", "tar.gz", "zip", "7z")


def sample_members() -> dict[str, bytes]:
    """Return the regular files of the localhost-loop sample by name."""
    with tarfile.open(SAMPLE) as archive:
        return {
            m.name.removeprefix("./"): archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive
            if m.isfile()
        }


@dataclass
class Member:
    """One archive member to write: a file, a link or a special file."""

    name: str
    data: bytes = b""
    kind: str = "file"
    """file, symlink, hardlink, fifo or chardev."""
    target: str = ""


def with_sample(*extra: Member) -> list[Member]:
    return [Member(n, d) for n, d in sample_members().items()] + list(extra)


def build_tar(path: Path, members: list[Member], mode: str = "w:gz") -> Path:
    types = {
        "file": tarfile.REGTYPE,
        "symlink": tarfile.SYMTYPE,
        "hardlink": tarfile.LNKTYPE,
        "fifo": tarfile.FIFOTYPE,
        "chardev": tarfile.CHRTYPE,
    }
    with tarfile.open(path, mode) as archive:
        for member in members:
            info = tarfile.TarInfo(member.name)
            info.type = types[member.kind]
            info.linkname = member.target
            info.size = len(member.data) if member.kind == "file" else 0
            data = io.BytesIO(member.data) if member.kind == "file" else None
            archive.addfile(info, data)
    return path


def build_zip(path: Path, members: list[Member]) -> Path:
    modes = {
        "file": stat.S_IFREG | 0o644,
        "symlink": stat.S_IFLNK | 0o777,
        "fifo": stat.S_IFIFO | 0o644,
        "chardev": stat.S_IFCHR | 0o644,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on duplicates
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in members:
                info = zipfile.ZipInfo(member.name, (2026, 12, 4, 17, 8, 0))
                info.create_system = 3
                info.external_attr = modes[member.kind] << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                content = (
                    member.target.encode() if member.kind == "symlink" else member.data
                )
                archive.writestr(info, content)
    return path


def build_7z(path: Path, members: list[Member]) -> Path:
    """Write a 7z; names that py7zr will not write are patched into the header."""
    patches = []
    with py7zr.SevenZipFile(path, "w") as archive:
        archive.encoded_header_mode = False
        for number, member in enumerate(members):
            if member.kind != "file":
                raise ValueError(f"py7zr cannot write a {member.kind} from memory")
            name = member.name
            if unsafe_path_reason(name) or name.startswith("/"):
                placeholder = f"Z{number:0{len(name) - 1}d}"[: len(name)]
                patches.append((placeholder, name))
                name = placeholder
            archive.writestr(member.data, name)
    for placeholder, name in patches:
        patch_7z_name(path, placeholder, name)
    return path


def patch_7z_name(path: Path, old: str, new: str) -> None:
    """Replace a member name in a 7z with a plain header, and fix its CRCs."""
    data = bytearray(path.read_bytes())
    old_bytes, new_bytes = old.encode("utf-16-le"), new.encode("utf-16-le")
    assert len(old_bytes) == len(new_bytes)
    index = data.find(old_bytes, 32)
    assert index > 0, old
    data[index : index + len(old_bytes)] = new_bytes
    replace_7z_header(data)
    path.write_bytes(data)


def replace_7z_header(data: bytearray) -> None:
    offset, size = struct.unpack_from("<QQ", data, 12)
    header = bytes(data[32 + offset : 32 + offset + size])
    struct.pack_into("<I", data, 28, zlib.crc32(header))
    struct.pack_into("<I", data, 8, zlib.crc32(bytes(data[12:32])))


def build(fmt: str, path: Path, members: list[Member]) -> Path:
    path = path.with_name(f"{path.name}.{fmt}")
    if fmt == "tar":
        return build_tar(path, members, mode="w")
    if fmt == "tar.gz":
        return build_tar(path, members)
    if fmt == "zip":
        return build_zip(path, members)
    return build_7z(path, members)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Return (size, mtime) of every file, link and folder under ``root``, by path."""
    files = {}
    for folder, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(folder) / name
            info = full.lstat()
            if stat.S_ISDIR(info.st_mode):  # a folder's time changes with its files
                files[str(full.relative_to(root))] = (0, 0)
            else:
                files[str(full.relative_to(root))] = (info.st_size, info.st_mtime_ns)
    return files


class Watched:
    """A folder holding TMPDIR, a canary folder, the inputs and the working folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.canary = root / "canary"
        self.inputs = root / "in"
        self.work = root / "work"
        root.mkdir()
        for folder in (self.tmp, self.canary, self.inputs, self.work):
            folder.mkdir()
        (self.canary / "keep.txt").write_text("canary\n")
        self.before: dict[str, tuple[int, int]] = {}

    def start(self) -> None:
        self.before = snapshot(self.root)

    def assert_untouched(self) -> None:
        after = snapshot(self.root)
        added = sorted(set(after) - set(self.before))
        changed = sorted(k for k in self.before if after.get(k) != self.before[k])
        assert added == [], f"files appeared: {added}"
        assert changed == [], f"files changed or vanished: {changed}"
        assert list(self.tmp.iterdir()) == [], "the temporary folder was not removed"


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Watched]:
    folder = Watched(tmp_path / "watched")
    monkeypatch.setenv("TMPDIR", str(folder.tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(folder.tmp))
    monkeypatch.chdir(folder.work)
    yield folder


def analyze(watched: Watched, bundle: Path, **options: object) -> Analysis:
    watched.start()
    analysis = analyze_bundle(bundle, **options)  # type: ignore[arg-type]
    watched.assert_untouched()
    return analysis


def entry(analysis: Analysis, path: str, index: int = 0) -> InventoryEntry:
    matches = [e for e in analysis.bundle.inventory.entries if e.path == path]
    assert len(matches) > index, f"{path} is not in the inventory"
    return matches[index]


def assert_finding(analysis: Analysis) -> None:
    """Check that the sample's diagnosis survives, and that the note on unread
    members calls the results partial only when they are."""
    codes = [f.code for f in analysis.findings]
    assert FINDING in codes, codes
    for found in analysis.findings:
        if found.code == "bundle-incomplete":
            partial = "results are partial" in found.summary
            assert partial == analysis.partial, found.summary


# Names


@pytest.mark.parametrize("fmt", FORMATS)
def test_traversal_names_rejected(watched: Watched, fmt: str) -> None:
    names = ["../evil", "../canary/keep.txt", "/tmp/evil", "a/../../evil"]
    members = with_sample(*(Member(n, b"evil\n") for n in names))
    bundle = build(fmt, watched.inputs / "bundle", members)
    analysis = analyze(watched, bundle)
    for name in names:
        found = entry(analysis, name)
        assert found.status == "rejected", name
        assert "absolute" in found.detail or "(..)" in found.detail, found.detail
        assert found.host is None, name
    assert (watched.canary / "keep.txt").read_text() == "canary\n"
    assert_finding(analysis)
    assert not analysis.partial


@pytest.mark.parametrize("fmt", ["tar", "tar.gz", "zip"])
def test_backslash_and_drive_names_rejected(watched: Watched, fmt: str) -> None:
    names = ["..\\..\\evil", "C:\\Windows\\evil", "C:evil"]
    bundle = build(
        fmt, watched.inputs / "bundle", with_sample(*(Member(n, b"x\n") for n in names))
    )
    analysis = analyze(watched, bundle)
    for name in names:
        assert entry(analysis, display_name(name)).status == "rejected", name
    assert_finding(analysis)


@pytest.mark.parametrize("fmt", FORMATS)
def test_invalid_names_rejected(watched: Watched, fmt: str) -> None:
    control = "maillog\x1b[2Jfake"
    overlong = "m" * 300
    deep = "/".join(["d"] * 2100)
    members = with_sample(
        Member(control, b"x\n"), Member(overlong, b"x\n"), Member(deep + "/f", b"x\n")
    )
    bundle = build(fmt, watched.inputs / "bundle", members)
    analysis = analyze(watched, bundle)
    shown = entry(analysis, display_name(control))
    assert shown.status == "rejected"
    assert "control characters" in shown.detail
    assert "\x1b" not in shown.path
    assert "longer than 255 bytes" in entry(analysis, display_name(overlong)).detail
    assert "longer than 4096 bytes" in entry(analysis, display_name(deep + "/f")).detail
    assert len(display_name(deep + "/f")) < 400
    assert_finding(analysis)


def test_unsafe_path_reason_cases() -> None:
    assert unsafe_path_reason("var/log/maillog") is None
    assert unsafe_path_reason("./maillog") is None
    assert unsafe_path_reason("mail\udcff.log") is None  # bytes that are not UTF-8
    assert "NUL" in (unsafe_path_reason("a\x00b") or "")
    assert "empty" in (unsafe_path_reason("./") or "")
    assert "absolute" in (unsafe_path_reason("\\\\server\\share") or "")
    assert "control" in (unsafe_path_reason("a\x85b") or "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_names_keep_first(watched: Watched, fmt: str) -> None:
    garbage = b"Dec  4 17:08:26 qradar-console postfix/smtp[1]: forged line\n"
    members = with_sample(Member("maillog", garbage), Member("./maillog", garbage))
    bundle = build(fmt, watched.inputs / "bundle", members)
    analysis = analyze(watched, bundle)
    first = entry(analysis, "maillog")
    assert first.status == "read"
    assert first.lines is not None and first.lines > 1
    duplicates = [
        e for e in analysis.bundle.inventory.entries if e.status == "rejected"
    ]
    assert len(duplicates) == 2
    for duplicate in duplicates:
        assert "duplicate name" in duplicate.detail
    assert not any("forged line" in text for text in analysis.events["text"])
    assert_finding(analysis)


# Links and special files


@pytest.mark.parametrize("fmt", ["tar", "tar.gz", "zip"])
def test_links_out_rejected_links_in_skipped(watched: Watched, fmt: str) -> None:
    members = with_sample(
        Member("out-abs", kind="symlink", target="/etc/passwd"),
        Member("logs/out-rel", kind="symlink", target="../../etc/shadow"),
        Member("maillog.link", kind="symlink", target="maillog"),
    )
    if fmt.startswith("tar"):
        members += [
            Member("hard-out", kind="hardlink", target="../etc/passwd"),
            Member("hard-in", kind="hardlink", target="main.cf"),
        ]
    bundle = build(fmt, watched.inputs / "bundle", members)
    analysis = analyze(watched, bundle)
    for name in ("out-abs", "logs/out-rel"):
        found = entry(analysis, name)
        assert found.status == "rejected", name
        assert "outside the bundle" in found.detail
    inside = entry(analysis, "maillog.link")
    assert inside.status == "skipped"
    assert "inside the bundle; not followed" in inside.detail
    if fmt.startswith("tar"):
        assert entry(analysis, "hard-out").status == "rejected"
        assert entry(analysis, "hard-in").status == "skipped"
    assert_finding(analysis)


def test_7z_symlink_rejected(watched: Watched) -> None:
    source = watched.inputs / "src"
    source.mkdir()
    for name, data in sample_members().items():
        (source / name).write_bytes(data)
    os.symlink("/etc/passwd", source / "passwd")
    bundle = watched.inputs / "bundle.7z"
    with py7zr.SevenZipFile(bundle, "w") as archive:
        for path in sorted(source.iterdir()):
            archive.write(path, path.name)
    analysis = analyze(watched, bundle)
    link = entry(analysis, "passwd")
    assert link.status == "rejected"
    assert "symbolic link" in link.detail
    assert_finding(analysis)


@pytest.mark.parametrize("fmt", ["tar", "tar.gz", "zip"])
def test_special_files_rejected(watched: Watched, fmt: str) -> None:
    members = with_sample(
        Member("dev/null", kind="chardev"), Member("pipe", kind="fifo")
    )
    bundle = build(fmt, watched.inputs / "bundle", members)
    analysis = analyze(watched, bundle)
    for name in ("dev/null", "pipe"):
        found = entry(analysis, name)
        assert found.status == "rejected", name
        assert "special file" in found.detail
    assert_finding(analysis)


def test_zip_without_file_type_bits_is_read(watched: Watched) -> None:
    bundle = watched.inputs / "plain.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for name, data in sample_members().items():
            archive.writestr(name, data)  # permission bits only, as Python writes them
    analysis = analyze(watched, bundle)
    assert entry(analysis, "maillog").status == "read"
    assert_finding(analysis)


def test_directory_links_and_fifo(watched: Watched) -> None:
    folder = watched.inputs / "bundle"
    folder.mkdir()
    for name, data in sample_members().items():
        (folder / name).write_bytes(data)
    os.symlink(watched.canary / "keep.txt", folder / "to-canary")
    os.symlink(watched.canary, folder / "canary-folder")
    os.symlink("loop-b", folder / "loop-a")
    os.symlink("loop-a", folder / "loop-b")
    os.symlink("maillog", folder / "maillog.0")
    os.mkfifo(folder / "fifo")
    analysis = analyze(watched, folder)
    for name in ("to-canary", "canary-folder"):
        found = entry(analysis, name)
        assert found.status == "rejected", name
        assert "outside the bundle" in found.detail
    assert "loop" in entry(analysis, "loop-a").detail
    assert entry(analysis, "maillog.0").status == "skipped"
    assert (
        "special" in entry(analysis, "fifo").detail
        or "FIFO" in entry(analysis, "fifo").detail
    )
    assert_finding(analysis)
    assert not analysis.partial


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders without permission")
def test_directory_unreadable_folder_listed(watched: Watched) -> None:
    folder = watched.inputs / "bundle"
    folder.mkdir()
    for name, data in sample_members().items():
        (folder / name).write_bytes(data)
    locked = folder / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        analysis = analyze(watched, folder)
    finally:
        locked.chmod(0o755)
    assert any("cannot be read" in e for e in analysis.bundle.inventory.errors)
    assert analysis.partial


def test_directory_walk_error_listed(
    watched: Watched, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder that os.walk cannot list, simulated because root reads them all."""
    folder = watched.inputs / "bundle"
    folder.mkdir()
    for name, data in sample_members().items():
        (folder / name).write_bytes(data)
    real_walk = os.walk

    def walk_with_error(top: str, onerror: object = None, **options: object) -> object:
        if Path(top) == folder:  # the snapshot of the watched folder walks too
            denied = PermissionError(13, "Permission denied", str(folder / "locked"))
            onerror(denied)  # type: ignore[operator]
        return real_walk(top, onerror=onerror, **options)  # type: ignore[arg-type]

    monkeypatch.setattr("analyzer.bundle.limits.os.walk", walk_with_error)
    analysis = analyze(watched, folder)
    errors = analysis.bundle.inventory.errors
    message = "locked: the folder cannot be read (Permission denied)"
    assert any(message in error for error in errors), errors
    assert analysis.partial
    assert_finding(analysis)


def test_deep_folders_listed_not_walked(watched: Watched) -> None:
    """Folders nested deeper than MAX_FOLDER_DEPTH are left out and named:
    Python's os.walk recurses once per level and fails near 1,000."""
    folder = watched.inputs / "bundle"
    folder.mkdir()
    for name, data in sample_members().items():
        (folder / name).write_bytes(data)
    deep = folder.joinpath(*["d"] * (MAX_FOLDER_DEPTH + 2))
    deep.mkdir(parents=True)
    (deep / "maillog").write_bytes(next(iter(sample_members().values())))
    analysis = analyze(watched, folder)
    errors = analysis.bundle.inventory.errors
    assert any(f"more than {MAX_FOLDER_DEPTH} levels" in e for e in errors), errors
    assert not any(
        e.path.endswith("d/maillog") for e in analysis.bundle.inventory.entries
    )
    assert analysis.partial
    assert_finding(analysis)


def test_top_level_fifo_rejected(tmp_path: Path) -> None:
    from analyzer.errors import UnsupportedBundle

    fifo = tmp_path / "bundle.tar"
    os.mkfifo(fifo)
    with pytest.raises(UnsupportedBundle, match="FIFO"):
        analyze_bundle(fifo)


# Bombs and limits


def zeros_gz(size: int) -> bytes:
    return gzip.compress(b"\x00" * size, compresslevel=9)


@pytest.mark.parametrize("fmt", FORMATS)
def test_ratio_bomb_member_rejected(watched: Watched, fmt: str) -> None:
    members = with_sample(Member("maillog-20261203.gz", zeros_gz(8 * MiB)))
    bundle = build(fmt, watched.inputs / "bundle", members)
    limits = Limits(max_ratio=50, ratio_floor_bytes=MiB)
    analysis = analyze(watched, bundle, limits=limits)
    bomb = entry(analysis, "maillog-20261203.gz")
    assert bomb.status == "rejected"
    assert "decompression bomb" in bomb.detail
    assert bomb.limit == "--max-ratio"
    assert analysis.partial
    assert_finding(analysis)


@pytest.mark.parametrize("fmt", FORMATS)
def test_member_size_limit(watched: Watched, fmt: str) -> None:
    line = b"Dec  4 17:08:26 qradar-console postfix/qmgr[1]: line\n"
    members = with_sample(Member("maillog.1", line * (3 * MiB // len(line))))
    bundle = build(fmt, watched.inputs / "bundle", members)
    limits = Limits(max_member_bytes=2 * MiB)
    analysis = analyze(watched, bundle, limits=limits)
    huge = entry(analysis, "maillog.1")
    assert huge.status == "rejected"
    assert "--max-size" in huge.detail
    assert huge.limit == "--max-size"
    assert analysis.partial
    assert_finding(analysis)


@pytest.mark.parametrize("fmt", FORMATS)
def test_total_size_limit_stops_bundle(watched: Watched, fmt: str) -> None:
    line = b"Dec  4 17:08:26 qradar-console postfix/qmgr[1]: filler\n"
    filler = line * (MiB // len(line))
    members = with_sample(*(Member(f"z/maillog.{n}", filler) for n in range(6)))
    bundle = build(fmt, watched.inputs / "bundle", members)
    limits = Limits(max_total_bytes=3 * MiB)
    analysis = analyze(watched, bundle, limits=limits)
    errors = analysis.bundle.inventory.errors
    assert any("expands to more than 3 MiB" in e for e in errors), errors
    assert analysis.partial
    assert_finding(analysis)


def test_compressed_tar_counted_once(watched: Watched) -> None:
    """A .tar.gz of 6 MiB fits a 10 MiB budget: members are not counted twice."""
    members = with_sample(*(Member(f"filler-{n}.log", b"y" * MiB) for n in range(6)))
    bundle = build("tar.gz", watched.inputs / "bundle", members)
    analysis = analyze(watched, bundle, limits=Limits(max_total_bytes=10 * MiB))
    assert analysis.bundle.inventory.errors == []
    assert not analysis.partial


@pytest.mark.parametrize("fmt", FORMATS)
def test_member_count_limit(watched: Watched, fmt: str) -> None:
    members = with_sample(*(Member(f"zz/{n:03d}", b"x") for n in range(40)))
    bundle = build(fmt, watched.inputs / "bundle", members)
    analysis = analyze(watched, bundle, limits=Limits(max_members=20))
    errors = analysis.bundle.inventory.errors
    assert any("more than 20 members" in e and "--max-members" in e for e in errors)
    assert_finding(analysis)


def test_nesting_deeper_than_limit(watched: Watched) -> None:
    inner = build_tar(watched.inputs / "level-0.tar.gz", [Member("deep.log", b"x\n")])
    for level in range(1, 5):
        data = inner.read_bytes()
        inner = build_zip(
            watched.inputs / f"level-{level}.zip", [Member(inner.name, data)]
        )
    members = with_sample(Member("nested.zip", inner.read_bytes()))
    bundle = build_tar(watched.inputs / "bundle.tar.gz", members)
    analysis = analyze(watched, bundle, limits=Limits(max_depth=2))
    stopped = [e for e in analysis.bundle.inventory.entries if e.limit == "--max-depth"]
    assert len(stopped) == 1
    assert "nested more than 2 deep" in stopped[0].detail
    assert_finding(analysis)


def test_nested_gzip_layers_limited(watched: Watched) -> None:
    data = b"Dec  4 17:08:26 h postfix/smtp[1]: x\n"
    for _ in range(2000):  # deeper than Python's recursion limit
        data = gzip.compress(data, compresslevel=1)
    members = with_sample(Member("maillog.gz", data))
    bundle = build_tar(watched.inputs / "bundle.tar.gz", members)
    analysis = analyze(watched, bundle)
    layered = entry(analysis, "maillog.gz")
    assert layered.status == "rejected"
    assert "compressed more than 4 times over" in layered.detail
    assert_finding(analysis)


def test_tar_extended_header_bomb(watched: Watched) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for name, data in sample_members().items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    body = raw.getvalue().rstrip(b"\x00")
    body += b"\x00" * (-len(body) % 512)
    header = tarfile.TarInfo("././@PaxHeader")
    header.type = tarfile.XHDTYPE
    header.size = 64 * MiB
    body += header.tobuf(format=tarfile.USTAR_FORMAT) + b"9" * (64 * MiB)
    bundle = watched.inputs / "bundle.tar.gz"
    bundle.write_bytes(gzip.compress(body, compresslevel=6))
    analysis = analyze(watched, bundle)
    errors = analysis.bundle.inventory.errors
    assert any("extended header of 67108864 bytes" in e for e in errors), errors
    assert analysis.partial
    assert_finding(analysis)


@pytest.mark.parametrize("name", ["notes.bin", "maillog.2"])
def test_tar_sparse_member_bomb(watched: Watched, name: str) -> None:
    """A pax sparse member stores a map of 0 data bytes and claims a real size
    of 1 TiB: tarfile would make up the zeros, so the ratio limit stops it."""
    bundle = watched.inputs / "bundle.tar"
    with tarfile.open(bundle, "w", format=tarfile.PAX_FORMAT) as archive:
        for member, data in sample_members().items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        sparse = tarfile.TarInfo(name)
        sparse.pax_headers = {
            "GNU.sparse.major": "1",
            "GNU.sparse.minor": "0",
            "GNU.sparse.name": name,
            "GNU.sparse.realsize": str(1 << 40),
        }
        # The map: one region, at offset 0, of 0 bytes; padded to a block.
        sparse_map = b"1\n0\n0\n".ljust(512, b"\x00")
        sparse.size = len(sparse_map)
        archive.addfile(sparse, io.BytesIO(sparse_map))
    analysis = analyze(watched, bundle, limits=Limits(ratio_floor_bytes=MiB))
    bomb = entry(analysis, name)
    assert bomb.status == "rejected"
    assert "decompression bomb" in bomb.detail
    assert bomb.limit == "--max-ratio"
    assert analysis.partial
    assert_finding(analysis)


def overlapping_zip(path: Path, copies: int) -> Path:
    """Write a zip whose central directory points many members at one block."""
    payload = b"\x00" * (4 * MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(payload) + compressor.flush()
    crc = zlib.crc32(payload)

    # The sample's files, stored, each with its own local header.
    body = bytearray()
    directory = bytearray()
    for name, data in sample_members().items():
        encoded = name.encode()
        local = struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21,
            zlib.crc32(data), len(data), len(data), len(encoded), 0,
        )  # fmt: skip
        directory += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21,
            zlib.crc32(data), len(data), len(data), len(encoded), 0, 0, 0, 0, 0,
            len(body),
        ) + encoded  # fmt: skip
        body += local + encoded + data

    # One deflated block of zeros, and many directory entries pointing at it.
    offset = len(body)
    body += struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(block),
        len(payload), 4, 0,
    ) + b"bomb" + block  # fmt: skip
    for copy in range(copies):
        encoded = f"bomb-{copy:03d}.log".encode()
        directory += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc,
            len(block), len(payload), len(encoded), 0, 0, 0, 0, 0, offset,
        ) + encoded  # fmt: skip

    count = len(sample_members()) + copies
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0
    )
    path.write_bytes(bytes(body + directory + end))
    return path


def test_overlapping_zip_members_rejected(watched: Watched) -> None:
    bundle = overlapping_zip(watched.inputs / "overlap.zip", copies=200)
    analysis = analyze(watched, bundle)
    bombs = [e for e in analysis.bundle.inventory.entries if e.path.startswith("bomb-")]
    assert len(bombs) == 200
    overlapping = [
        e for e in bombs if "overlaps the data of another member" in e.detail
    ]
    assert len(overlapping) == 199
    assert_finding(analysis)


def test_zip_stated_sizes_that_lie(watched: Watched) -> None:
    bundle = build_zip(
        watched.inputs / "lies.zip",
        with_sample(
            Member("short.log", b"Dec  4 17:08:26 h postfix/qmgr[1]: x\n" * 30),
            Member("far.log", b"w" * 1000),
        ),
    )
    data = bytearray(bundle.read_bytes())
    start = data.rfind(b"PK\x05\x06")
    directory_offset = struct.unpack_from("<I", data, start + 16)[0]
    for name, field_offset, value in (
        (b"short.log", 24, 5000),  # uncompressed size: claims more than it contains
        (b"far.log", 20, 10**9),  # compressed size: claims more than the file
    ):
        entry_offset = data.find(b"PK\x01\x02" + b"", directory_offset)
        while data[entry_offset + 46 : entry_offset + 46 + len(name)] != name:
            entry_offset = data.find(b"PK\x01\x02", entry_offset + 4)
        struct.pack_into("<I", data, entry_offset + field_offset, value)
    bundle.write_bytes(bytes(data))
    analysis = analyze(watched, bundle)
    short = entry(analysis, "short.log")
    assert short.status in ("partial", "error")
    assert "5000" in short.detail or "CRC" in short.detail or "ends" in short.detail
    far = entry(analysis, "far.log")
    assert far.status == "rejected"
    assert "more than the archive holds" in far.detail
    assert_finding(analysis)


def test_7z_stated_size_that_lies(watched: Watched) -> None:
    inner = watched.inputs / "inner.7z"
    with py7zr.SevenZipFile(inner, "w", filters=[{"id": py7zr.FILTER_COPY}]) as archive:
        archive.encoded_header_mode = False
        archive.writestr(b"A" * 1000, "liar.log")
    data = bytearray(inner.read_bytes())
    offset = struct.unpack_from("<Q", data, 12)[0] + 32
    size_field = data.find(b"\x0c\x83\xe8", offset)  # kCodersUnpackSize = 1000
    assert size_field > 0
    data[size_field + 1 : size_field + 3] = b"\xbe\x80"  # claims 16000 bytes
    replace_7z_header(data)
    members = with_sample(Member("host2.7z", bytes(data)))
    bundle = build_tar(watched.inputs / "bundle.tar.gz", members)
    analysis = analyze(watched, bundle)
    liar = entry(analysis, "host2.7z/liar.log")
    assert liar.status == "error"
    assert "size the archive states" in liar.detail or "CRC" in liar.detail
    assert analysis.partial
    assert_finding(analysis)


def test_zip_directory_larger_than_member_limit(watched: Watched) -> None:
    members = with_sample(*(Member(f"many/{n:04d}", b"") for n in range(300)))
    bundle = build_zip(watched.inputs / "many.zip", members)
    from analyzer.errors import LimitExceeded

    watched.start()
    with pytest.raises(LimitExceeded, match=r"central directory of .* too large"):
        analyze_bundle(bundle, limits=Limits(max_members=10))
    watched.assert_untouched()


# The command line, with TMPDIR watched


def test_cli_hostile_bundle_report(watched: Watched) -> None:
    members = with_sample(
        Member("../evil", b"evil\n"),
        Member("link", kind="symlink", target="/etc/passwd"),
        Member("maillog", b"second copy\n"),
    )
    bundle = build_tar(watched.inputs / "hostile.tar.gz", members)
    watched.start()
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "report", str(bundle), "-o", "out",
         "--format", "html,json"],
        capture_output=True, text=True, cwd=watched.work, timeout=300,
        env={**cli_env(), "TMPDIR": str(watched.tmp)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = (watched.work / "out" / "report.html").read_text()
    (watched.work / "out" / "report.html").unlink()
    (watched.work / "out" / "findings.json").unlink()
    (watched.work / "out").rmdir()
    watched.assert_untouched()
    assert "the path leads out of the bundle" in report
    assert "outside the bundle" in report
    assert "duplicate name" in report
    assert FINDING in report
