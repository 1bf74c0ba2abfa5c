"""Every way an upload can be unusable: a :class:`FileRejected` carrying a
:class:`FileErrorCode` and a message a teacher can act on."""

from __future__ import annotations

import enum


class FileErrorCode(enum.StrEnum):
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    LOCK_FILE = "lock_file"
    ENCRYPTED_PDF = "encrypted_pdf"
    UNREADABLE_PDF = "unreadable_pdf"
    CORRUPT_DOCUMENT = "corrupt_document"
    ARCHIVE_TOO_LARGE = "archive_too_large"
    TEXT_TOO_SHORT = "text_too_short"
    TEXT_TOO_LONG = "text_too_long"
    UNDECODABLE_TEXT = "undecodable_text"
    # a zip archive uploaded as one part, and its members (archive.py)
    ARCHIVE_CORRUPT = "archive_corrupt"
    ARCHIVE_EMPTY = "archive_empty"
    ARCHIVE_TOO_MANY_MEMBERS = "archive_too_many_members"
    ARCHIVE_MEMBER_ENCRYPTED = "archive_member_encrypted"
    ARCHIVE_MEMBER_TOO_LARGE = "archive_member_too_large"
    ARCHIVE_MEMBER_LINK = "archive_member_link"
    ARCHIVE_PATH_UNSAFE = "archive_path_unsafe"
    ARCHIVE_NESTED = "archive_nested"
    ARCHIVE_BOMB = "archive_bomb"


class FileRejected(Exception):
    """The upload cannot be turned into essay text; ``code`` says why."""

    def __init__(self, code: FileErrorCode, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"
