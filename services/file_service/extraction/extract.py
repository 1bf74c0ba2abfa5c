"""Pure-domain text extraction and validation for uploaded essay files.

Everything here works on in-memory bytes: no framework, no database, no disk. The single
entry point is :func:`extract_text`; every way an upload can be unusable surfaces as a
:class:`FileRejected` carrying a :class:`FileErrorCode` and a human-readable message.
"""

from __future__ import annotations

import codecs
import enum
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import filetype


class FileErrorCode(enum.StrEnum):
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    LOCK_FILE = "lock_file"
    ENCRYPTED_PDF = "encrypted_pdf"
    UNREADABLE_PDF = "unreadable_pdf"
    CORRUPT_DOCUMENT = "corrupt_document"
    ARCHIVE_TOO_LARGE = "archive_too_large"
    TEXT_TOO_SHORT = "text_too_short"
    TEXT_TOO_LONG = "text_too_long"
    UNDECODABLE_TEXT = "undecodable_text"
    # a zip archive uploaded as one part, and its members (archive.py)
    ARCHIVE_CORRUPT = "archive_corrupt"
    ARCHIVE_EMPTY = "archive_empty"
    ARCHIVE_TOO_MANY_MEMBERS = "archive_too_many_members"
    ARCHIVE_MEMBER_ENCRYPTED = "archive_member_encrypted"
    ARCHIVE_MEMBER_TOO_LARGE = "archive_member_too_large"
    ARCHIVE_MEMBER_LINK = "archive_member_link"
    ARCHIVE_PATH_UNSAFE = "archive_path_unsafe"
    ARCHIVE_NESTED = "archive_nested"
    ARCHIVE_BOMB = "archive_bomb"


class FileKind(enum.StrEnum):
    TXT = "txt"
    MARKDOWN = "markdown"
    DOCX = "docx"
    PDF = "pdf"
    ODT = "odt"
    RTF = "rtf"


@dataclass(frozen=True)
class ExtractionLimits:
    max_file_bytes: int = 10 * 1024 * 1024
    min_text_chars: int = 50
    max_text_chars: int = 50_000
    max_uncompressed_bytes: int = 100 * 1024 * 1024  # for zip-based formats
    max_compression_ratio: float = 200.0


class FileRejected(Exception):
    """The upload cannot be turned into essay text; ``code`` says why."""

    def __init__(self, code: FileErrorCode, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"


@dataclass(frozen=True)
class ExtractedText:
    text: str
    kind: FileKind
    char_count: int
    word_count: int
    encoding: str | None = None  # txt / markdown only
    page_count: int | None = None  # pdf only


_SNIFF_BYTES = 8 * 1024
_RATIO_FLOOR_BYTES = 1024 * 1024  # archives smaller than this are never "absurd"
_MAX_ZIP_MEMBERS = 10_000
_ODT_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.text-template",
}
_MARKDOWN_SUFFIXES = (".md", ".markdown")
_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BINARY_MAGICS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"RIFF", "a RIFF media file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word (.doc) or other legacy Office file"),
    (b"\x7fELF", "an executable"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"%!PS", "a PostScript file"),
)


def check_upload(filename: str, size: int, limits: ExtractionLimits) -> None:
    """Checks that need only the name and size, so they can run before reading content."""
    name = re.split(r"[\\/]", filename)[-1]
    if name.startswith(("~$", ".~lock.")):
        raise FileRejected(
            FileErrorCode.LOCK_FILE,
            f"'{name}' is a temporary lock file created by a word processor, not the essay. "
            "Upload the real document instead.",
        )
    if size <= 0:
        raise FileRejected(FileErrorCode.EMPTY_FILE, f"'{name}' is empty.")
    if size > limits.max_file_bytes:
        raise FileRejected(
            FileErrorCode.FILE_TOO_LARGE,
            f"'{name}' is {size / 1_048_576:.1f} MB; the limit is "
            f"{limits.max_file_bytes / 1_048_576:.1f} MB.",
        )


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:
        raise FileRejected(
            FileErrorCode.CORRUPT_DOCUMENT,
            "The document is damaged and cannot be opened (broken zip container).",
        ) from exc


def _utf16_without_bom(sample: bytes) -> str | None:
    """Guess BOM-less UTF-16 from NUL bytes sitting on one side of each code unit."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul >= 0.3 and even_nul < 0.02:
        return "utf-16-le"
    if even_nul >= 0.3 and odd_nul < 0.02:
        return "utf-16-be"
    return None


def sniff_kind(filename: str, data: bytes) -> FileKind:
    """Decide the format from the content; the extension only separates markdown from txt."""
    head = data[:_SNIFF_BYTES]
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"%PDF-"):
        return FileKind.PDF
    if stripped.startswith(b"{\\rtf"):
        return FileKind.RTF
    if head.startswith(b"PK\x03\x04"):
        with _open_zip(data) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return FileKind.DOCX
            if "mimetype" in names:
                try:
                    with zf.open("mimetype") as fh:
                        mimetype = fh.read(128).strip()
                except Exception:
                    mimetype = b""
                if mimetype in _ODT_MIMETYPES:
                    return FileKind.ODT
        raise FileRejected(
            FileErrorCode.UNSUPPORTED_TYPE,
            "The file is a zip archive but not a Word (.docx) or OpenDocument (.odt) document.",
        )
    for magic, description in _BINARY_MAGICS:
        if head.startswith(magic):
            raise FileRejected(FileErrorCode.UNSUPPORTED_TYPE, f"The file is {description}.")
    has_bom = any(head.startswith(bom) for bom, _ in _BOMS)
    if b"\x00" in head and not has_bom and _utf16_without_bom(head) is None:
        guess = filetype.guess(head)  # only for the message: its magics are too loose for text
        detail = f" ({guess.mime})" if guess else ""
        raise FileRejected(
            FileErrorCode.UNSUPPORTED_TYPE,
            f"The file is binary data{detail}, not a supported document or text file.",
        )
    return FileKind.MARKDOWN if filename.lower().endswith(_MARKDOWN_SUFFIXES) else FileKind.TXT


_GARBAGE_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffe\uffff]")


def _looks_like_garbage(text: str) -> bool:
    """Controls, surrogates and private-use characters: what a wrong decoding produces."""
    return len(_GARBAGE_CHARS.findall(text)) > max(2, len(text) // 50)


def _decode_text(data: bytes) -> tuple[str, str]:
    candidates: list[str] = [enc for bom, enc in _BOMS if data.startswith(bom)]
    if not candidates:
        candidates = ["utf-8"]
        utf16 = _utf16_without_bom(data[:_SNIFF_BYTES])
        if utf16:
            candidates.insert(0, utf16)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _looks_like_garbage(text):
            return text, encoding.removesuffix("-sig")
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        raise FileRejected(
            FileErrorCode.UNDECODABLE_TEXT,
            "The file starts with a Unicode byte-order mark but is not valid Unicode text.",
        )
    guessed = _guess_legacy_encoding(data)
    if guessed is None:
        raise FileRejected(
            FileErrorCode.UNDECODABLE_TEXT,
            "The file's character encoding could not be recognised; save it as UTF-8.",
        )
    return guessed


def _guess_legacy_encoding(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer, preferring cp1252 among equally plausible Western encodings.

    Short Swedish text is ambiguous between cp1250, cp1252, hp_roman8 and friends; the
    detector's tie-breaking is arbitrary there, while cp1252 is by far the most common.
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best_chaos = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= best_chaos + 0.01]
    for preferred in ("cp1252", "latin_1", "iso8859_15"):
        if any(preferred in m.could_be_from_charset for m in tied):
            try:
                text = data.decode(preferred)
            except UnicodeDecodeError:
                continue
            if not _looks_like_garbage(text):
                return text, preferred
    best = min(tied, key=lambda m: (m.chaos, -m.coherence))
    text = str(best)
    return None if _looks_like_garbage(text) else (text, best.encoding)


_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[ \t]*(```|~~~).*$", re.M), ""),  # code fence lines (content kept)
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M), r"\1"),  # ATX headings
    (re.compile(r"^[ \t]*([-*_=])(?:[ \t]*\1){2,}[ \t]*$", re.M), ""),  # rules, setext lines
    (re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*\S+.*$", re.M), ""),  # link reference definitions
    (re.compile(r"^[ \t]*>[ \t]?", re.M), ""),  # blockquotes
    (re.compile(r"^([ \t]*)[-*+][ \t]+", re.M), r"\1"),  # bullets
    (re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)"), r"\1"),  # inline links / images
    (re.compile(r"!?\[([^\]\n]+)\]\[[^\]\n]*\]"), r"\1"),  # reference links
    (re.compile(r"`+([^`\n]+)`+"), r"\1"),  # inline code
    (re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # *em*, **strong**
    (re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)"), r"\2"),  # _em_, __strong__
)


def strip_markdown(text: str) -> str:
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text


def _check_archive(data: bytes, limits: ExtractionLimits) -> None:
    with _open_zip(data) as zf:
        infos = zf.infolist()
    uncompressed = sum(i.file_size for i in infos)
    compressed = max(1, sum(i.compress_size for i in infos))
    ratio = uncompressed / compressed
    if (
        len(infos) > _MAX_ZIP_MEMBERS
        or uncompressed > limits.max_uncompressed_bytes
        or (uncompressed > _RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio)
    ):
        raise FileRejected(
            FileErrorCode.ARCHIVE_TOO_LARGE,
            f"The document would unpack to {uncompressed / 1_048_576:.0f} MB "
            f"({len(infos)} parts, compression ratio {ratio:.0f}:1), which is not plausible "
            "for an essay.",
        )


def _docx_blocks(container: Any) -> Iterator[str]:
    """Paragraph and table text in document order (recursing into cells and content controls)."""
    from docx.oxml.ns import qn

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            runs = child.xpath("w:r | w:hyperlink | w:ins/w:r | w:smartTag/w:r | w:fldSimple/w:r")
            yield "".join(getattr(run, "text", "") or "" for run in runs)
        elif child.tag == qn("w:tbl"):
            rows = []
            for row in child.iterchildren(qn("w:tr")):
                cells = [" ".join(_docx_blocks(tc)) for tc in row.iterchildren(qn("w:tc"))]
                rows.append("\t".join(c for c in cells if c.strip()))
            yield "\n".join(rows)  # one row per line, cells tab-separated
        elif child.tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _docx_blocks(content)


def _extract_docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n\n".join(_docx_blocks(document.element.body))


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODT_SKIP = {(_TEXT_NS, "note"), (_OFFICE_NS, "annotation"), (_TEXT_NS, "tracked-changes")}


def _odf_inline(element: Any) -> str:
    """Like odf.teletype.extractText, but caps <text:s c=...> (a memory bomb otherwise)."""
    parts: list[str] = []
    for child in element.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(str(child.data))
        elif child.nodeType != child.ELEMENT_NODE or child.qname in _ODT_SKIP:
            continue
        elif child.qname == (_TEXT_NS, "line-break"):
            parts.append("\n")
        elif child.qname == (_TEXT_NS, "tab"):
            parts.append("\t")
        elif child.qname == (_TEXT_NS, "s"):
            count = str(child.getAttribute("c") or "1")
            parts.append(" " * min(int(count) if count.isdigit() else 1, 100))
        else:
            parts.append(_odf_inline(child))
    return "".join(parts)


def _odf_blocks(element: Any) -> Iterator[str]:
    for child in element.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.qname in _ODT_SKIP:
            continue
        if child.qname in {(_TEXT_NS, "p"), (_TEXT_NS, "h")}:
            yield _odf_inline(child)
        else:
            yield from _odf_blocks(child)


def _extract_odt(data: bytes) -> str:
    from odf.opendocument import load

    document = load(io.BytesIO(data))
    return "\n\n".join(_odf_blocks(document.body))


_RTF_CODEPAGES = {"874", "932", "936", "949", "950", *(str(n) for n in range(1250, 1259))}


def _extract_rtf(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit: non-ASCII text is escaped (\'e5, \u229?), so raw high bytes mean garbage.
    if len(data.translate(None, bytes(range(128)))) > len(data) // 10:
        raise FileRejected(FileErrorCode.CORRUPT_DOCUMENT, "The RTF file is damaged.")
    match = re.search(rb"\\ansicpg(\d{3,4})", data[:4096])
    codepage = match.group(1).decode() if match else "1252"
    encoding = f"cp{codepage}" if codepage in _RTF_CODEPAGES else "cp1252"
    return str(rtf_to_text(data.decode(encoding, errors="replace"), encoding, errors="replace"))


def _extract_pdf(data: bytes) -> tuple[str, int]:
    from pypdf import PasswordType, PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except Exception:  # unsupported algorithm, missing crypto dependency, broken dict
            opened = False
        if not opened:
            raise FileRejected(
                FileErrorCode.ENCRYPTED_PDF,
                "The PDF is password-protected. Remove the password and upload it again.",
            )
    pages = [page.extract_text() or "" for page in reader.pages]
    text = "\n\n".join(pages)
    if count_words(normalise_text(text)) == 0:
        raise FileRejected(
            FileErrorCode.UNREADABLE_PDF,
            "The PDF has no text layer (it looks like a scan or images only). "
            "Upload the original document or a PDF with selectable text.",
        )
    return text, len(pages)


def _extract_raw(
    kind: FileKind, data: bytes, limits: ExtractionLimits
) -> tuple[str, str | None, int | None]:
    """Un-normalised text, encoding (txt/markdown) and page count (pdf) for a sniffed file."""
    if kind in (FileKind.TXT, FileKind.MARKDOWN):
        text, encoding = _decode_text(data)
        return (strip_markdown(text) if kind is FileKind.MARKDOWN else text), encoding, None
    if kind is FileKind.PDF:
        text, page_count = _extract_pdf(data)
        return text, None, page_count
    if kind is FileKind.RTF:
        return _extract_rtf(data), None, None
    _check_archive(data, limits)
    return (_extract_docx(data) if kind is FileKind.DOCX else _extract_odt(data)), None, None


_FAILURE_CODES = {
    FileKind.TXT: FileErrorCode.UNDECODABLE_TEXT,
    FileKind.MARKDOWN: FileErrorCode.UNDECODABLE_TEXT,
    FileKind.PDF: FileErrorCode.UNREADABLE_PDF,
}


_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_EXTRA_BLANK_LINES = re.compile(r"\n{3,}")
_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")


def normalise_text(text: str) -> str:
    text = _LINE_BREAKS.sub("\n", text).translate(_INVISIBLE)
    text = _CONTROL_CHARS.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _INLINE_SPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _EXTRA_BLANK_LINES.sub("\n\n", text).strip()


def count_words(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


def extract_text(
    filename: str, data: bytes, limits: ExtractionLimits = ExtractionLimits()
) -> ExtractedText:
    """Validate an upload and return its normalised text, or raise :class:`FileRejected`."""
    check_upload(filename, len(data), limits)
    kind = sniff_kind(filename, data)
    try:
        raw, encoding, page_count = _extract_raw(kind, data, limits)
    except FileRejected:
        raise
    except Exception as exc:  # any library failure on hostile or damaged input
        raise FileRejected(
            _FAILURE_CODES.get(kind, FileErrorCode.CORRUPT_DOCUMENT),
            f"The {kind.value} file is damaged and its text cannot be read.",
        ) from exc
    text = normalise_text(raw)
    if len(text) < limits.min_text_chars:
        raise FileRejected(
            FileErrorCode.TEXT_TOO_SHORT,
            f"The file contains only {len(text)} characters of text; at least "
            f"{limits.min_text_chars} are needed.",
        )
    if len(text) > limits.max_text_chars:
        raise FileRejected(
            FileErrorCode.TEXT_TOO_LONG,
            f"The text is {len(text)} characters long; the limit is {limits.max_text_chars}.",
        )
    return ExtractedText(
        text=text,
        kind=kind,
        char_count=len(text),
        word_count=count_words(text),
        encoding=encoding,
        page_count=page_count,
    )
