"""Text extraction from uploaded essay files (moved; split into modules next)."""

from services.file_service.extraction.extract import *  # noqa: F403
