"""file_service settings: FILE_SERVICE_ prefix; peers' URLs are the platform-wide names."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from service_kit.settings import ServiceSettings
from services.file_service.archive import ArchiveLimits
from services.file_service.extraction import ExtractionLimits

SERVICE_NAME = "file_service"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FILE_SERVICE_", extra="ignore")

    service_name: str = SERVICE_NAME
    max_body_bytes: int = 200 * 1024 * 1024  # one request, all its files
    max_file_bytes: int = 10 * 1024 * 1024
    min_text_chars: int = 50
    max_text_chars: int = 50_000
    max_files_per_request: int = 100  # parts; a zip archive is one part
    max_archive_members: int = 10_000  # entries in one zip archive
    max_archive_bytes: int = 1024 * 1024 * 1024  # decompressed from one zip archive
    content_service_url: str = Field(
        default="http://127.0.0.1:8006",
        validation_alias=AliasChoices("CONTENT_SERVICE_URL", "content_service_url"),
    )
    essay_lifecycle_url: str = Field(
        default="http://127.0.0.1:8002",
        validation_alias=AliasChoices("ESSAY_LIFECYCLE_URL", "essay_lifecycle_url"),
    )
    # unset: uploads are not checked against the batch's pipeline
    batch_orchestrator_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("BATCH_ORCHESTRATOR_URL", "batch_orchestrator_url"),
    )

    @property
    def archive_limits(self) -> ArchiveLimits:
        return ArchiveLimits(
            max_member_bytes=self.max_file_bytes,
            max_members=self.max_archive_members,
            max_total_bytes=self.max_archive_bytes,
        )

    @property
    def limits(self) -> ExtractionLimits:
        return ExtractionLimits(
            max_file_bytes=self.max_file_bytes,
            min_text_chars=self.min_text_chars,
            max_text_chars=self.max_text_chars,
        )
