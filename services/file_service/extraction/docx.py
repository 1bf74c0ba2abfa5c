"""Word (.docx): paragraph and table text in body order."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any


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


def extract_docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n\n".join(_docx_blocks(document.element.body))
