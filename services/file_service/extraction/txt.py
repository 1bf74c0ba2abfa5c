"""Plain text and Markdown: decoded (see decoding.py), Markdown's markup stripped."""

from __future__ import annotations

import re

from services.file_service.extraction.decoding import decode_text

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


def extract_txt(data: bytes, *, markdown: bool) -> tuple[str, str]:
    """The text (Markdown's markup stripped when ``markdown``) and the encoding it was in."""
    text, encoding = decode_text(data)
    return (strip_markdown(text) if markdown else text), encoding
