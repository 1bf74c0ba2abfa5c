"""Plain text's character encoding: byte-order marks, BOM-less UTF-16, UTF-8, and legacy
encodings guessed with a preference for cp1252."""

from __future__ import annotations

import codecs
import re

from services.file_service.extraction.rejections import FileErrorCode, FileRejected

SAMPLE_BYTES = 8 * 1024  # what sniffing and the UTF-16 guess look at
BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def utf16_without_bom(sample: bytes) -> str | None:
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


_GARBAGE_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffe\uffff]")


def _looks_like_garbage(text: str) -> bool:
    """Controls, surrogates and private-use characters: what a wrong decoding produces."""
    return len(_GARBAGE_CHARS.findall(text)) > max(2, len(text) // 50)


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with, or :class:`FileRejected`."""
    candidates: list[str] = [enc for bom, enc in BOMS if data.startswith(bom)]
    if not candidates:
        candidates = ["utf-8"]
        utf16 = utf16_without_bom(data[:SAMPLE_BYTES])
        if utf16:
            candidates.insert(0, utf16)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _looks_like_garbage(text):
            return text, encoding.removesuffix("-sig")
    if data.startswith(tuple(bom for bom, _ in BOMS)):
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
