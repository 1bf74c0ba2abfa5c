"""The one entry point: :func:`extract_text` checks an upload, sniffs its format, reads it
with that format's module and normalises the text; every way it can be unusable surfaces as
a :class:`FileRejected`.

Everything here works on in-memory bytes: no framework, no database, no disk.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.file_service.extraction.containers import check_container
from services.file_service.extraction.docx import extract_docx
from services.file_service.extraction.limits import ExtractionLimits, check_upload
from services.file_service.extraction.normalising import count_words, normalise_text
from services.file_service.extraction.odt import extract_odt
from services.file_service.extraction.pdf import extract_pdf
from services.file_service.extraction.rejections import FileErrorCode, FileRejected
from services.file_service.extraction.rtf import extract_rtf
from services.file_service.extraction.sniffing import FileKind, sniff_kind
from services.file_service.extraction.txt import extract_txt


@dataclass(frozen=True)
class ExtractedText:
    text: str
    kind: FileKind
    char_count: int
    word_count: int
    encoding: str | None = None  # txt / markdown only
    page_count: int | None = None  # pdf only


def _extract_raw(
    kind: FileKind, data: bytes, limits: ExtractionLimits
) -> tuple[str, str | None, int | None]:
    """Un-normalised text, encoding (txt/markdown) and page count (pdf) for a sniffed file."""
    if kind in (FileKind.TXT, FileKind.MARKDOWN):
        text, encoding = extract_txt(data, markdown=kind is FileKind.MARKDOWN)
        return text, encoding, None
    if kind is FileKind.PDF:
        text, page_count = extract_pdf(data)
        return text, None, page_count
    if kind is FileKind.RTF:
        return extract_rtf(data), None, None
    check_container(data, limits)
    return (extract_docx(data) if kind is FileKind.DOCX else extract_odt(data)), None, None


_FAILURE_CODES = {
    FileKind.TXT: FileErrorCode.UNDECODABLE_TEXT,
    FileKind.MARKDOWN: FileErrorCode.UNDECODABLE_TEXT,
    FileKind.PDF: FileErrorCode.UNREADABLE_PDF,
}


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
