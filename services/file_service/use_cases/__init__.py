"""file_service's use cases: every operation a teacher, the orchestrator or a job can
trigger, one class each, with its dependencies in the constructor and one ``execute``.

- ``uploads``: UploadFiles, ReplaceFile (files coming in)
- ``files``: GetFile, ListFileVersions, ListBatchFiles, DeleteFile (stored files)
- ``intake``: SealBatchIntake (the orchestrator's start)
- ``processing``: ProcessFile, GiveUpOnFile (the process_file job)
"""

from services.file_service.use_cases.files import (
    DeleteFile,
    DeleteFileCommand,
    GetFile,
    GetFileCommand,
    ListBatchFiles,
    ListBatchFilesCommand,
    ListBatchFilesResult,
    ListFileVersions,
    ListFileVersionsCommand,
)
from services.file_service.use_cases.intake import SealBatchIntake, SealBatchIntakeCommand
from services.file_service.use_cases.processing import (
    GiveUpOnFile,
    GiveUpOnFileCommand,
    ProcessFile,
    ProcessFileCommand,
)
from services.file_service.use_cases.uploads import (
    ReplaceFile,
    ReplaceFileCommand,
    UploadFiles,
    UploadFilesCommand,
)

__all__ = [
    "DeleteFile",
    "DeleteFileCommand",
    "GetFile",
    "GetFileCommand",
    "GiveUpOnFile",
    "GiveUpOnFileCommand",
    "ListBatchFiles",
    "ListBatchFilesCommand",
    "ListBatchFilesResult",
    "ListFileVersions",
    "ListFileVersionsCommand",
    "ProcessFile",
    "ProcessFileCommand",
    "ReplaceFile",
    "ReplaceFileCommand",
    "SealBatchIntake",
    "SealBatchIntakeCommand",
    "UploadFiles",
    "UploadFilesCommand",
]
