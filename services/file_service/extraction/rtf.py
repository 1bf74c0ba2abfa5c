"""Rich Text Format: 7-bit text with escapes, decoded with its declared code page."""

from __future__ import annotations

import re

from services.file_service.extraction.rejections import FileErrorCode, FileRejected

_RTF_CODEPAGES = {"874", "932", "936", "949", "950", *(str(n) for n in range(1250, 1259))}


def extract_rtf(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit: non-ASCII text is escaped (\'e5, \u229?), so raw high bytes mean garbage.
    if len(data.translate(None, bytes(range(128)))) > len(data) // 10:
        raise FileRejected(FileErrorCode.CORRUPT_DOCUMENT, "The RTF file is damaged.")
    match = re.search(rb"\\ansicpg(\d{3,4})", data[:4096])
    codepage = match.group(1).decode() if match else "1252"
    encoding = f"cp{codepage}" if codepage in _RTF_CODEPAGES else "cp1252"
    return str(rtf_to_text(data.decode(encoding, errors="replace"), encoding, errors="replace"))
