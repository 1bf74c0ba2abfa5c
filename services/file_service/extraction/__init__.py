"""Text extraction from uploaded essay files: pure Python on in-memory bytes.

One concern a module: ``limits`` (what an upload may be, checks on name and size),
``sniffing`` (what format a file is), ``decoding`` (plain text's encoding), one module per
format (``txt`` for plain text and Markdown, ``docx``, ``pdf``, ``odt``, ``rtf``, and
``containers`` for the zip under docx and odt), ``normalising`` (the text made uniform,
words counted), ``rejections`` (every reason an upload is unusable) and ``extract``, the
entry point that runs them in order.
"""

from services.file_service.extraction.extract import ExtractedText, extract_text
from services.file_service.extraction.limits import ExtractionLimits, check_upload
from services.file_service.extraction.normalising import count_words, normalise_text
from services.file_service.extraction.rejections import FileErrorCode, FileRejected
from services.file_service.extraction.sniffing import FileKind, sniff_kind
from services.file_service.extraction.txt import strip_markdown

__all__ = [
    "ExtractedText",
    "ExtractionLimits",
    "FileErrorCode",
    "FileKind",
    "FileRejected",
    "check_upload",
    "count_words",
    "extract_text",
    "normalise_text",
    "sniff_kind",
    "strip_markdown",
]
