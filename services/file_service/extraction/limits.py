"""What an upload may be, and the checks that need only its name and size."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.file_service.extraction.rejections import FileErrorCode, FileRejected


@dataclass(frozen=True)
class ExtractionLimits:
    max_file_bytes: int = 10 * 1024 * 1024
    min_text_chars: int = 50
    max_text_chars: int = 50_000
    max_uncompressed_bytes: int = 100 * 1024 * 1024  # for zip-based formats
    max_compression_ratio: float = 200.0


def check_upload(filename: str, size: int, limits: ExtractionLimits) -> None:
    """Checks that need only the name and size, so they can run before reading content."""
    name = re.split(r"[\\/]", filename)[-1]
    if name.startswith(("~$", ".~lock.")):
        raise FileRejected(
            FileErrorCode.LOCK_FILE,
            f"'{name}' is a temporary lock file created by a word processor, not the essay. "
            "Upload the real document instead.",
        )
    if size <= 0:
        raise FileRejected(FileErrorCode.EMPTY_FILE, f"'{name}' is empty.")
    if size > limits.max_file_bytes:
        raise FileRejected(
            FileErrorCode.FILE_TOO_LARGE,
            f"'{name}' is {size / 1_048_576:.1f} MB; the limit is "
            f"{limits.max_file_bytes / 1_048_576:.1f} MB.",
        )
