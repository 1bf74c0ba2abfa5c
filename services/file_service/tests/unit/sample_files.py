"""Builders for real (and deliberately broken) upload files, returned as bytes.

Shared by the extraction unit tests and the file_service integration tests. Everything is
built in memory; nothing is read from or written to disk.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence

SWEDISH_TEXT = (
    "Det här är en uppsats om våra sjöar och älvar. Vattnet i Vänern och Vättern är "
    "klart och kallt, och längs Göta älv växer både björk och gran. Över ängarna hörs "
    "fåglarna på våren \u2013 och på hösten ser man tranorna flyga söderut."
)

ESSAY_PARAGRAPHS: tuple[str, ...] = (
    "Climate change is one of the defining challenges of our time, and students should "
    "understand both its causes and its consequences.",
    "In this essay I argue that local action matters: towns that invest in cycling, "
    "public transport and renewable heating cut their emissions quickly.",
    "Finally, I discuss why international agreements still need national follow-up.",
)


# --------------------------------------------------------------------------- zip helpers


def make_zip(members: Mapping[str, bytes], *, stored: Sequence[str] = ("mimetype",)) -> bytes:
    """A zip with the given members, in order; names in ``stored`` are not compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            zf.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def add_zero_member(
    archive: bytes, *, uncompressed_mb: int, name: str = "word/media/padding.bin"
) -> bytes:
    """Copy ``archive`` and append a deflated member of ``uncompressed_mb`` MiB of zeros.

    Written in 1 MiB chunks so building a 200 MiB "zip bomb" stays memory-light (the result
    is about 1 KiB per MiB of zeros).
    """
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info.filename), compress_type=info.compress_type)
        chunk = bytes(1024 * 1024)
        with target.open(name, "w", force_zip64=True) as fh:
            for _ in range(uncompressed_mb):
                fh.write(chunk)
    return buffer.getvalue()


# --------------------------------------------------------------------------- docx


def make_docx(
    paragraphs: Sequence[str],
    table_rows: Sequence[Sequence[str]] | None = None,
    *,
    paragraphs_after_table: Sequence[str] = (),
    heading: str | None = None,
) -> bytes:
    """A real .docx: optional heading, paragraphs, optional table, then more paragraphs."""
    import docx

    document = docx.Document()
    if heading is not None:
        document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table_rows:
        table = document.add_table(rows=len(table_rows), cols=max(len(r) for r in table_rows))
        for row, values in zip(table.rows, table_rows, strict=False):
            for cell, value in zip(row.cells, values, strict=False):
                cell.text = value
    for paragraph in paragraphs_after_table:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_docx_zip_bomb(uncompressed_mb: int = 200) -> bytes:
    """A valid-looking .docx carrying ``uncompressed_mb`` MiB of deflated zeros."""
    return add_zero_member(make_docx(ESSAY_PARAGRAPHS), uncompressed_mb=uncompressed_mb)


def make_corrupt_docx() -> bytes:
    """Starts like a zip (PK\\x03\\x04) but the rest is garbage: no central directory."""
    return b"PK\x03\x04" + bytes(range(7, 250)) * 8


def make_docx_with_broken_xml() -> bytes:
    """A well-formed zip whose word/document.xml is not well-formed XML."""
    members = dict(_zip_members(make_docx(ESSAY_PARAGRAPHS)))
    members["word/document.xml"] = b"<w:document><w:body><w:p>unclosed"
    return make_zip(members)


def make_docx_from_body_xml(body_xml: str) -> bytes:
    """A real .docx whose <w:body> content is ``body_xml`` (WordprocessingML, ``w:`` prefix).

    For constructs python-docx cannot author: content controls, tracked insertions, nested
    tables, merged cells.
    """
    members = dict(_zip_members(make_docx([])))
    members["word/document.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W_NS}" xmlns:r="{_R_NS}"><w:body>{body_xml}</w:body>'
        "</w:document>"
    ).encode()
    return make_zip(members)


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def make_zip_without_document() -> bytes:
    """A valid zip that is not a Word or OpenDocument file (an .xlsx-like layout)."""
    return make_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    )


def _zip_members(archive: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return [(name, zf.read(name)) for name in zf.namelist()]


# --------------------------------------------------------------------------- pdf


def make_pdf(pages_text: Sequence[str]) -> bytes:
    """A real PDF with one page per entry; long text is wrapped onto several lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page_text in pages_text:
        text_object = pdf.beginText(50, A4[1] - 60)
        text_object.setFont("Helvetica", 11)
        for line in _wrap(page_text, width=85):
            text_object.textLine(line)
        pdf.drawText(text_object)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_image_only_pdf(pages: int = 1) -> bytes:
    """A PDF with only vector graphics (a filled rectangle): no text layer, like a scan."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        pdf.setFillGray(0.4)
        pdf.rect(50, 50, 400, 600, fill=1)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_encrypted_pdf(
    text: str, user_password: str = "secret", owner_password: str | None = None
) -> bytes:
    """A text PDF encrypted with pypdf (RC4-128); ``user_password=""`` opens without one."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([text]))))
    writer.encrypt(user_password, owner_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_garbage_pdf() -> bytes:
    """Has the %PDF- magic, then nothing a PDF parser can use."""
    return b"%PDF-1.7\n" + b"\x8f\x13 this is not really a pdf \x00\xff" * 40


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return lines


# --------------------------------------------------------------------------- odt / rtf


def make_odt(paragraphs: Sequence[str], heading: str | None = None) -> bytes:
    """A real OpenDocument text file built with odfpy."""
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    if heading is not None:
        document.text.addElement(H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        document.text.addElement(P(text=paragraph))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def make_odt_zip_bomb(uncompressed_mb: int = 200) -> bytes:
    return add_zero_member(
        make_odt(ESSAY_PARAGRAPHS), uncompressed_mb=uncompressed_mb, name="Pictures/pad.bin"
    )


def make_odt_with_space_run(before: str, spaces: int, after: str) -> bytes:
    """An .odt whose paragraph holds ``<text:s text:c="spaces"/>`` between two strings."""
    from odf.opendocument import OpenDocumentText
    from odf.text import P, S

    document = OpenDocumentText()
    paragraph = P(text=before)
    paragraph.addElement(S(c=spaces))
    paragraph.addText(after)
    document.text.addElement(paragraph)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def make_rtf(text: str, codepage: int = 1252) -> bytes:
    """Hand-written RTF: paragraphs split on blank lines, non-ASCII as \\'xx or \\uN? escapes."""
    encoding = f"cp{codepage}"
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    body = "\\par\n".join(_rtf_escape(p, encoding) for p in paragraphs)
    header = f"{{\\rtf1\\ansi\\ansicpg{codepage}\\deff0{{\\fonttbl{{\\f0 Times New Roman;}}}}"
    return f"{header}\n\\f0\\fs24 {body}\\par\n}}".encode("ascii")


def _rtf_escape(text: str, encoding: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ord(ch) < 128:
            out.append(ch)
        else:
            try:
                out.append("".join(f"\\'{b:02x}" for b in ch.encode(encoding)))
            except UnicodeEncodeError:
                code = ord(ch) if ord(ch) < 32768 else ord(ch) - 65536
                out.append(f"\\u{code}?")
    return "".join(out)


# --------------------------------------------------------------------------- other binaries


def make_png(width: int = 2, height: int = 2) -> bytes:
    """A real, valid grey-scale PNG image."""

    def chunk(tag: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(tag + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes([128] * width) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_ole_doc() -> bytes:
    """The header of a legacy Word 97-2003 .doc (OLE2 compound file) plus padding."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00" + bytes(4068)


def make_jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64)


def make_elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(200)
