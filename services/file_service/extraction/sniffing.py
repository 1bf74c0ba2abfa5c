"""What format a file is, decided from its content; the extension only separates markdown
from plain text. Images, executables, old .doc files, other zips and binary data are
refused here, before anything is parsed."""

from __future__ import annotations

import codecs
import enum

import filetype

from services.file_service.extraction.containers import open_zip
from services.file_service.extraction.decoding import BOMS, SAMPLE_BYTES, utf16_without_bom
from services.file_service.extraction.rejections import FileErrorCode, FileRejected


class FileKind(enum.StrEnum):
    TXT = "txt"
    MARKDOWN = "markdown"
    DOCX = "docx"
    PDF = "pdf"
    ODT = "odt"
    RTF = "rtf"


_ODT_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.text-template",
}
_MARKDOWN_SUFFIXES = (".md", ".markdown")
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


def sniff_kind(filename: str, data: bytes) -> FileKind:
    """Decide the format from the content; the extension only separates markdown from txt."""
    head = data[:SAMPLE_BYTES]
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"%PDF-"):
        return FileKind.PDF
    if stripped.startswith(b"{\\rtf"):
        return FileKind.RTF
    if head.startswith(b"PK\x03\x04"):
        with open_zip(data) as zf:
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
    has_bom = any(head.startswith(bom) for bom, _ in BOMS)
    if b"\x00" in head and not has_bom and utf16_without_bom(head) is None:
        guess = filetype.guess(head)  # only for the message: its magics are too loose for text
        detail = f" ({guess.mime})" if guess else ""
        raise FileRejected(
            FileErrorCode.UNSUPPORTED_TYPE,
            f"The file is binary data{detail}, not a supported document or text file.",
        )
    return FileKind.MARKDOWN if filename.lower().endswith(_MARKDOWN_SUFFIXES) else FileKind.TXT
