"""archive.py on zips built in memory: names, skipped entries, and each refusal by its code."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Iterable

import pytest

from services.file_service.archive import (
    ArchiveLimits,
    ArchivePart,
    chunked,
    is_archive,
    path_is_unsafe,
    read_archive,
    unpack,
)
from services.file_service.domain import IncomingFile, Screened
from services.file_service.tests.unit import sample_files as sf

ESSAY = sf.SWEDISH_TEXT.encode()
LIMITS = ArchiveLimits(max_member_bytes=4 * 1024 * 1024)

Member = tuple[str, bytes] | zipfile.ZipInfo | tuple[zipfile.ZipInfo, bytes]


def build(members: Iterable[tuple[str | zipfile.ZipInfo, bytes]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    buffer.seek(0)
    return buffer


def outcomes(
    members: Iterable[tuple[str | zipfile.ZipInfo, bytes]],
    limits: ArchiveLimits = LIMITS,
    encrypted: str | None = None,
) -> list[tuple[str, str | None]]:
    """(name, error code or None for a member handed on to screening) in order."""
    found = []
    archive = build(members)
    if encrypted:
        archive = with_encryption_flag(archive, encrypted)
    for item in read_archive(archive, "class.zip", limits):
        if isinstance(item, Screened):
            assert item.refusal is not None and item.incoming.data == b""
            found.append((item.incoming.filename, item.refusal.code.value))
        else:
            found.append((item.filename, None))
    return found


def with_encryption_flag(archive: io.BytesIO, name: str) -> io.BytesIO:
    """zipfile cannot write encrypted members: set bit 0 of the general purpose flags in the
    member's local header and its central directory entry (the bytes stay plain)."""
    data = bytearray(archive.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        local = zf.getinfo(name).header_offset
        central = zf.start_dir  # type: ignore[attr-defined]
        while data[central : central + 4] == b"PK\x01\x02":
            n, m, k = (
                int.from_bytes(data[central + o : central + o + 2], "little") for o in (28, 30, 32)
            )
            if data[central + 46 : central + 46 + n].decode() == name:
                data[central + 8] |= 0x1
            central += 46 + n + m + k
    data[local + 6] |= 0x1
    return io.BytesIO(bytes(data))


def info(name: str, **attrs: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name)
    entry.compress_type = zipfile.ZIP_DEFLATED
    for key, value in attrs.items():
        setattr(entry, key, value)
    return entry


def test_folders_are_flattened_with_unique_deterministic_names():
    members = [
        ("a/essay.docx", sf.make_docx(["one"])),
        ("b/essay.docx", sf.make_docx(["two"])),
        ("c/d/ESSAY.docx", sf.make_docx(["three"])),
        ("essay (2).docx", sf.make_docx(["four"])),
        ("notes", ESSAY),
        ("x/notes", ESSAY),
    ]
    expected = [
        ("essay.docx", None),
        ("essay (2).docx", None),
        ("ESSAY (3).docx", None),
        ("essay (2) (2).docx", None),
        ("notes", None),
        ("notes (2)", None),
    ]
    assert outcomes(members) == expected
    assert outcomes(members) == expected  # the same archive, the same names


def test_members_keep_their_bytes():
    (item,) = read_archive(build([("dir/uppsats.txt", ESSAY)]), "class.zip", LIMITS)
    assert isinstance(item, IncomingFile)
    assert item.data == ESSAY and item.filename == "uppsats.txt"


def test_directories_and_os_junk_are_skipped_silently():
    members = [
        ("essays/", b""),
        ("__MACOSX/essays/._uppsats.txt", b"\x00\x05\x16\x07"),
        ("essays/.DS_Store", b"\x00\x00\x00\x01Bud1"),
        ("essays/Thumbs.db", b"\xd0\xcf\x11\xe0"),
        ("essays/._uppsats.txt", b"\x00\x05\x16\x07"),
        ("essays/uppsats.txt", ESSAY),
    ]
    assert outcomes(members) == [("uppsats.txt", None)]


def test_an_archive_of_only_junk_is_empty():
    assert outcomes([("a/", b""), (".DS_Store", b"x")]) == [("class.zip", "archive_empty")]


def test_each_bad_member_is_refused_with_its_code_while_the_good_ones_pass():
    link = info("docs/link.txt", external_attr=(stat.S_IFLNK | 0o777) << 16, create_system=3)
    members: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        ("good.txt", ESSAY),
        ("../escape.txt", ESSAY),
        ("/etc/passwd.txt", ESSAY),
        ("C:/Users/x/essay.txt", ESSAY),
        (link, b"/etc/passwd"),
        ("secret.txt", ESSAY),  # flagged as encrypted below
        ("inner.zip", build([("a.txt", ESSAY)]).getvalue()),
        ("disguised.txt", build([("a.txt", ESSAY)]).getvalue()),
        ("backup.tar.gz", b"\x1f\x8b\x08\x00"),
        ("huge.txt", b"a" * (LIMITS.max_member_bytes + 1)),
        ("ok/a/../also-good.docx", sf.make_docx(["fine"])),
        ("picture.png", sf.make_png()),
    ]
    assert outcomes(members, encrypted="secret.txt") == [
        ("good.txt", None),
        ("escape.txt", "archive_path_unsafe"),
        ("passwd.txt", "archive_path_unsafe"),
        ("essay.txt", "archive_path_unsafe"),
        ("link.txt", "archive_member_link"),
        ("secret.txt", "archive_member_encrypted"),
        ("inner.zip", "archive_nested"),
        ("disguised.txt", "archive_nested"),
        ("backup.tar.gz", "archive_nested"),
        ("huge.txt", "archive_member_too_large"),
        ("also-good.docx", None),
        ("picture.png", None),  # unsupported formats are left to the usual screening
    ]


def test_a_refused_member_records_its_declared_size():
    items = list(read_archive(build([("big.txt", b"a" * 5_000_000)]), "c.zip", LIMITS))
    (item,) = items
    assert isinstance(item, Screened) and item.incoming.size == 5_000_000


@pytest.mark.parametrize(
    "path, unsafe",
    [
        ("a/b.txt", False),
        ("a/../b.txt", False),
        ("./a.txt", False),
        ("../a.txt", True),
        ("a/../../b.txt", True),
        ("a\\..\\..\\b.txt", True),
        ("/a.txt", True),
        ("\\\\server\\share\\a.txt", True),
        ("D:essay.txt", True),
    ],
)
def test_unsafe_paths(path, unsafe):
    assert path_is_unsafe(path) is unsafe


def test_a_zip_bomb_by_ratio_is_refused_and_the_rest_go_on():
    limits = ArchiveLimits(max_member_bytes=8 * 1024 * 1024)
    members = [("bomb.txt", b"\x00" * (6 * 1024 * 1024)), ("good.txt", ESSAY)]
    assert outcomes(members, limits) == [("bomb.txt", "archive_bomb"), ("good.txt", None)]


def test_small_members_are_never_bombs_however_well_they_compress():
    assert outcomes([("spaces.txt", b" " * (512 * 1024))]) == [("spaces.txt", None)]


def test_past_the_total_uncompressed_limit_the_rest_of_the_archive_is_refused():
    limits = ArchiveLimits(max_member_bytes=LIMITS.max_member_bytes, max_total_bytes=2 * len(ESSAY))
    members = [(f"e{i}.txt", ESSAY) for i in range(4)]
    assert outcomes(members, limits) == [
        ("e0.txt", None),
        ("e1.txt", None),
        ("e2.txt", "archive_bomb"),
        ("e3.txt", "archive_bomb"),
    ]


def test_too_many_members_refuse_the_archive_as_a_whole():
    limits = ArchiveLimits(max_members=3)
    members = [(f"e{i}.txt", ESSAY) for i in range(4)]
    assert outcomes(members, limits) == [("class.zip", "archive_too_many_members")]


def test_a_corrupt_archive_is_one_outcome():
    data = build([("a.txt", ESSAY), ("b.txt", ESSAY)]).getvalue()
    for broken in (data[: len(data) // 2], b"PK\x03\x04" + b"\x00" * 100, b"not a zip at all"):
        (item,) = read_archive(io.BytesIO(broken), "class.zip", LIMITS)
        assert isinstance(item, Screened) and item.refusal is not None
        assert (item.incoming.filename, item.refusal.code.value) == ("class.zip", "archive_corrupt")


def test_a_damaged_member_is_refused_and_the_others_go_on():
    data = bytearray(build([("a.txt", ESSAY), ("b.txt", ESSAY)]).getvalue())
    start = data.index(b"a.txt") + len(b"a.txt")  # a's compressed bytes follow its name
    data[start + 10 : start + 20] = b"\xff" * 10
    found = list(read_archive(io.BytesIO(bytes(data)), "class.zip", LIMITS))
    assert isinstance(found[0], Screened) and found[0].refusal is not None
    assert found[0].refusal.code.value == "archive_corrupt"
    assert isinstance(found[1], IncomingFile) and found[1].data == ESSAY


@pytest.mark.parametrize(
    "name, declared, data, expected",
    [
        ("class.zip", None, build([("a.txt", ESSAY)]).getvalue(), True),
        ("upload", None, build([("a.txt", ESSAY)]).getvalue(), True),  # by content alone
        ("essay.docx", None, sf.make_docx(["text"]), False),  # a document is a zip too
        ("essay.zip", None, sf.make_docx(["text"]), False),
        ("essay.odt", None, sf.make_odt(["text"]), False),
        ("essay.txt", None, ESSAY, False),
        ("class.zip", None, b"not a zip", True),  # named so: refused as a corrupt archive
        ("upload", "application/zip", b"not a zip", True),
    ],
)
def test_archives_are_told_from_documents(name, declared, data, expected):
    stream = io.BytesIO(data)
    assert is_archive(name, declared, stream) is expected
    assert stream.tell() == 0


def test_unpack_keeps_the_request_order_and_chunks_bound_what_is_held():
    parts = [
        IncomingFile("first.txt", ESSAY),
        ArchivePart("class.zip", build([(f"e{i}.txt", ESSAY) for i in range(5)])),
        IncomingFile("last.txt", ESSAY),
    ]
    chunks = list(chunked(unpack(parts, LIMITS), 3))
    assert [len(c) for c in chunks] == [3, 3, 1]
    names = [item.filename for c in chunks for item in c if isinstance(item, IncomingFile)]
    assert names == ["first.txt", "e0.txt", "e1.txt", "e2.txt", "e3.txt", "e4.txt", "last.txt"]
