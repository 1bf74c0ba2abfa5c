"""Every operation content_service offers, one use case each (see the README's table)."""

from services.content_service.use_cases.blobs import (
    ReadBlob,
    ReadBlobCommand,
    ReadBlobResult,
    StoreBlob,
    StoreBlobCommand,
)
from services.content_service.use_cases.documents import (
    CreateDocument,
    CreateDocumentCommand,
    DeleteDocument,
    DeleteDocumentCommand,
    GetDocument,
    GetDocumentCommand,
    ListDocuments,
    ListDocumentsCommand,
    ListDocumentsResult,
    UpdateDocument,
    UpdateDocumentCommand,
)
from services.content_service.use_cases.purge import PurgeBlobs, PurgeBlobsCommand

__all__ = [
    "CreateDocument",
    "CreateDocumentCommand",
    "DeleteDocument",
    "DeleteDocumentCommand",
    "GetDocument",
    "GetDocumentCommand",
    "ListDocuments",
    "ListDocumentsCommand",
    "ListDocumentsResult",
    "PurgeBlobs",
    "PurgeBlobsCommand",
    "ReadBlob",
    "ReadBlobCommand",
    "ReadBlobResult",
    "StoreBlob",
    "StoreBlobCommand",
    "UpdateDocument",
    "UpdateDocumentCommand",
]
