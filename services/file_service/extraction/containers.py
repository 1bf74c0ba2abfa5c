"""The zip container of docx and odt: opened safely, and refused when its unpacked size or
compression ratio is absurd for an essay (a zip bomb)."""

from __future__ import annotations

import io
import zipfile

from services.file_service.extraction.limits import ExtractionLimits
from services.file_service.extraction.rejections import FileErrorCode, FileRejected

_RATIO_FLOOR_BYTES = 1024 * 1024  # archives smaller than this are never "absurd"
_MAX_ZIP_MEMBERS = 10_000


def open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:
        raise FileRejected(
            FileErrorCode.CORRUPT_DOCUMENT,
            "The document is damaged and cannot be opened (broken zip container).",
        ) from exc


def check_container(data: bytes, limits: ExtractionLimits) -> None:
    with open_zip(data) as zf:
        infos = zf.infolist()
    uncompressed = sum(i.file_size for i in infos)
    compressed = max(1, sum(i.compress_size for i in infos))
    ratio = uncompressed / compressed
    if (
        len(infos) > _MAX_ZIP_MEMBERS
        or uncompressed > limits.max_uncompressed_bytes
        or (uncompressed > _RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio)
    ):
        raise FileRejected(
            FileErrorCode.ARCHIVE_TOO_LARGE,
            f"The document would unpack to {uncompressed / 1_048_576:.0f} MB "
            f"({len(infos)} parts, compression ratio {ratio:.0f}:1), which is not plausible "
            "for an essay.",
        )
