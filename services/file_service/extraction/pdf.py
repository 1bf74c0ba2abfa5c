"""PDF: the text layer, page by page; refused when password-protected or a scan."""

from __future__ import annotations

import io

from services.file_service.extraction.normalising import count_words, normalise_text
from services.file_service.extraction.rejections import FileErrorCode, FileRejected


def extract_pdf(data: bytes) -> tuple[str, int]:
    """The text and the page count."""
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
