"""Zip archives uploaded as one part: each member becomes a file of the batch.

Pure Python on a seekable binary file object (werkzeug spools a big part to a temporary
file): no Quart, no SQLAlchemy. The archive is never held whole in memory; members are
opened one at a time and each is read with a bound of ``max_member_bytes + 1``.

:func:`read_archive` yields, in the archive's order, either an :class:`IncomingFile` to be
screened like any uploaded file, or a refused :class:`Screened` for a member that is refused
before screening (its own error code), or one refusal for the archive as a whole (corrupt,
too many members, nothing in it). Folders are flattened: a member's name is its last path
segment, made unique within the archive (``essay.docx``, ``essay (2).docx``, ...), in the
archive's order so the same archive always gives the same names. Directory entries and OS
junk (``__MACOSX/``, ``._*``, ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) are skipped.

Checks, per member, in this order (the first that fails is the member's outcome):

``archive_path_unsafe``
    an absolute path (``/x``, ``\\x``, ``C:x``) or ``..`` climbing above the archive's root.
``archive_member_link``
    a symbolic link (Unix mode in the top 16 bits of ``external_attr``).
``archive_member_encrypted``
    the encryption flag (bit 0 of the general purpose flags).
``archive_nested``
    another archive: a ``.zip/.7z/.rar/.tar/.gz/...`` name, or such content once read.
``archive_member_too_large``
    an uncompressed size over ``max_member_bytes`` (the service's ``max_file_bytes``).
``archive_bomb``
    a member over ``ratio_floor_bytes`` (1 MiB) uncompressed that is more than
    ``max_ratio`` (100) times its compressed size; or a member that would take the bytes read
    from the archive over ``max_total_bytes``: that member and every one after it.
``archive_corrupt``
    a member that cannot be read (bad CRC, broken header, unknown compression method).

The whole archive gets one outcome under the archive's name when its central directory
cannot be read (``archive_corrupt``), when it lists more than ``max_members`` entries
(``archive_too_many_members``), or when it holds no file (``archive_empty``).
"""

from __future__ import annotations

import io
import itertools
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TypeVar

from services.file_service.domain import IncomingFile, Screened
from services.file_service.extraction import FileErrorCode, FileRejected

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a member first, or an empty archive
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip"}
_NESTED_SUFFIXES = (
    ".zip",
    ".7z",
    ".rar",
    ".tar",
    ".gz",
    ".tgz",
    ".bz2",
    ".tbz2",
    ".xz",
    ".txz",
    ".zst",
)
_NESTED_MAGICS = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstd
)
_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
_ENCRYPTED_FLAG = 0x1
_DRIVE = re.compile(r"^[A-Za-z]:")
_MAX_NAME = 512

T = TypeVar("T")


@dataclass(frozen=True)
class ArchiveLimits:
    max_member_bytes: int = 10 * 1024 * 1024  # the service's max_file_bytes
    max_members: int = 10_000  # entries in the central directory, folders and junk included
    max_total_bytes: int = 1024 * 1024 * 1024  # bytes decompressed from one archive
    max_ratio: float = 100.0  # uncompressed : compressed, for members over ratio_floor_bytes
    ratio_floor_bytes: int = 1024 * 1024


def _is_document_container(zf: zipfile.ZipFile) -> bool:
    """A zip that is itself a document (OOXML, OpenDocument, EPUB): screened as one file."""
    names = set(zf.namelist())
    return "[Content_Types].xml" in names or "word/document.xml" in names or "mimetype" in names


def _zip_is_document(fileobj: IO[bytes]) -> bool | None:
    """True for a document container, False for a plain archive, None if it is no zip."""
    try:
        with zipfile.ZipFile(fileobj) as zf:
            return _is_document_container(zf)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def is_archive(filename: str, declared_type: str | None, fileobj: IO[bytes]) -> bool:
    """A zip archive to unpack rather than one file: a zip by content that is not a document
    container (a .docx is a zip too), or a part named ``.zip`` or sent as application/zip
    (which then fails as a corrupt archive if it is none). Leaves ``fileobj`` at offset 0."""
    fileobj.seek(0)
    head = fileobj.read(4)
    fileobj.seek(0)
    named = filename.lower().endswith(".zip") or (declared_type or "").lower() in ZIP_TYPES
    if not head.startswith(ZIP_SIGNATURES):
        return named
    document = _zip_is_document(fileobj)
    fileobj.seek(0)
    if document is None:
        return named
    return not document


def _refused(name: str, code: FileErrorCode, message: str, size: int = 0) -> Screened:
    """A refusal for bytes that were not read: the version records the declared size."""
    return Screened(
        IncomingFile(name, b"", None, known_size=size), None, FileRejected(code, message)
    )


def _segments(path: str) -> list[str]:
    return [s for s in re.split(r"[\\/]", path) if s not in ("", ".")]


def path_is_unsafe(path: str) -> bool:
    """Absolute (``/``, ``\\``, a drive letter) or with a ``..`` that climbs above the root."""
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return True
    depth = 0
    for segment in _segments(path):
        depth += -1 if segment == ".." else 1
        if depth < 0:
            return True
    return False


def is_junk(path: str) -> bool:
    segments = _segments(path)
    if not segments:
        return True
    if any(s.lower() == "__macosx" for s in segments[:-1]):
        return True
    last = segments[-1]
    return last.lower() in _JUNK_NAMES or last.startswith("._")


def is_link(info: zipfile.ZipInfo) -> bool:
    mode = (info.external_attr >> 16) & 0xFFFF
    return mode != 0 and stat.S_ISLNK(mode)


def _looks_nested(name: str, data: bytes) -> bool:
    if name.lower().endswith(_NESTED_SUFFIXES):
        return True
    if data[257:262] == b"ustar":
        return True
    if not data.startswith(_NESTED_MAGICS):
        return False
    if data.startswith(ZIP_SIGNATURES):
        return _zip_is_document(io.BytesIO(data)) is not True  # a .docx inside is fine
    return True


class UniqueNames:
    """Flattened names made unique, case-insensitively, in the order they are asked for."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, path: str) -> str:
        segments = [s for s in _segments(path) if s != ".."]
        name = (segments[-1] if segments else "upload")[:_MAX_NAME]
        stem, dot, suffix = name.rpartition(".")
        if not stem:  # no dot, or a leading one only (".profile")
            stem, dot, suffix = name, "", ""
        candidate, n = name, 1
        while candidate.casefold() in self._taken:
            n += 1
            tail = f" ({n}){dot}{suffix}"
            candidate = stem[: _MAX_NAME - len(tail)] + tail
        self._taken.add(candidate.casefold())
        return candidate


def _mib(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def read_archive(
    fileobj: IO[bytes], archive_name: str, limits: ArchiveLimits
) -> Iterator[IncomingFile | Screened]:
    """The archive's members, one at a time: see the module's docstring for the outcomes."""
    try:
        zf = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        yield _refused(
            archive_name,
            FileErrorCode.ARCHIVE_CORRUPT,
            f"'{archive_name}' is not a zip archive we can open: it is damaged or incomplete.",
        )
        return
    with zf:
        entries = zf.infolist()
        if len(entries) > limits.max_members:
            yield _refused(
                archive_name,
                FileErrorCode.ARCHIVE_TOO_MANY_MEMBERS,
                f"'{archive_name}' holds {len(entries)} entries; an archive may hold at most "
                f"{limits.max_members}. Split it into smaller archives.",
            )
            return
        names = UniqueNames()
        total = 0
        over_budget = False
        found = 0
        for info in entries:
            if info.is_dir() or is_junk(info.filename):
                continue
            found += 1
            name = names.take(info.filename)
            refusal = None if over_budget else _member_refusal(info, name, limits)
            if over_budget or (refusal is None and total + info.file_size > limits.max_total_bytes):
                over_budget = True
                refusal = (
                    FileErrorCode.ARCHIVE_BOMB,
                    f"'{name}' was not unpacked: the files in '{archive_name}' add up to more "
                    f"than {_mib(limits.max_total_bytes)} uncompressed.",
                )
            if refusal is not None:
                yield _refused(name, *refusal, size=info.file_size)
                continue
            try:
                with zf.open(info) as member:
                    data = member.read(limits.max_member_bytes + 1)
            except Exception as exc:  # zipfile, zlib, bz2 and lzma each raise their own
                yield _refused(
                    name,
                    FileErrorCode.ARCHIVE_CORRUPT,
                    f"'{name}' in '{archive_name}' is damaged and cannot be unpacked ({exc}).",
                    size=info.file_size,
                )
                continue
            total += len(data)
            if len(data) > limits.max_member_bytes:
                yield _refused(name, *_too_large(name, len(data), limits), size=len(data))
            elif _looks_nested(name, data):
                yield _refused(name, *_nested(name), size=len(data))
            else:
                yield IncomingFile(name, data, None)
        if not found:
            yield _refused(
                archive_name,
                FileErrorCode.ARCHIVE_EMPTY,
                f"'{archive_name}' holds no files (only folders or system files).",
            )


def _too_large(name: str, size: int, limits: ArchiveLimits) -> tuple[FileErrorCode, str]:
    return (
        FileErrorCode.ARCHIVE_MEMBER_TOO_LARGE,
        f"'{name}' is {_mib(size)} unpacked; the limit for one file is "
        f"{_mib(limits.max_member_bytes)}.",
    )


def _nested(name: str) -> tuple[FileErrorCode, str]:
    return (
        FileErrorCode.ARCHIVE_NESTED,
        f"'{name}' is an archive inside the archive; unpack it and upload its files instead.",
    )


def _member_refusal(
    info: zipfile.ZipInfo, name: str, limits: ArchiveLimits
) -> tuple[FileErrorCode, str] | None:
    """The checks that need only the central directory's entry, before any byte is read."""
    if path_is_unsafe(info.filename):
        return (
            FileErrorCode.ARCHIVE_PATH_UNSAFE,
            f"'{name}' has an unsafe path in the archive ({info.filename!r}): absolute or "
            "leading outside it.",
        )
    if is_link(info):
        return (
            FileErrorCode.ARCHIVE_MEMBER_LINK,
            f"'{name}' is a symbolic link, not a file; put the file itself in the archive.",
        )
    if info.flag_bits & _ENCRYPTED_FLAG:
        return (
            FileErrorCode.ARCHIVE_MEMBER_ENCRYPTED,
            f"'{name}' is password-protected in the archive; zip it again without a password.",
        )
    if name.lower().endswith(_NESTED_SUFFIXES):
        return _nested(name)
    if info.file_size > limits.max_member_bytes:
        return _too_large(name, info.file_size, limits)
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        return (
            FileErrorCode.ARCHIVE_BOMB,
            f"'{name}' unpacks to {_mib(info.file_size)} from "
            f"{info.compress_size / 1024:.1f} KB, more than {limits.max_ratio:g} times its "
            "packed size: it looks like a zip bomb and was not unpacked.",
        )
    return None


@dataclass(frozen=True)
class ArchivePart:
    """A multipart part that is a zip archive, left in its (spooled) file to be unpacked."""

    filename: str
    stream: IO[bytes]


def unpack(
    parts: Iterable[IncomingFile | ArchivePart], limits: ArchiveLimits
) -> Iterator[IncomingFile | Screened]:
    """A request's files in order, every archive replaced by its members' outcomes."""
    for part in parts:
        if isinstance(part, ArchivePart):
            yield from read_archive(part.stream, part.filename, limits)
        else:
            yield part


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
