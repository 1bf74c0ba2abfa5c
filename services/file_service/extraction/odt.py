"""OpenDocument text (.odt): paragraphs and headings, notes and tracked changes left out."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

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


def extract_odt(data: bytes) -> str:
    from odf.opendocument import load

    document = load(io.BytesIO(data))
    return "\n\n".join(_odf_blocks(document.body))
