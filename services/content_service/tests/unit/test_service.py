"""content_service use cases against the in-memory repositories."""

import uuid
from datetime import timedelta

import pytest

from service_kit.errors import NotFound, PreconditionFailed
from services.content_service import service
from services.content_service.domain import (
    DocumentChanges,
    DocumentKind,
    DocumentQuery,
    UnknownContent,
    content_id_of,
)
from services.content_service.repository_memory_impl import (
    MemoryBlobReader,
    MemoryContentStore,
    MemoryContentUnitOfWork,
)


@pytest.fixture
def store() -> MemoryContentStore:
    return MemoryContentStore()


def uow(store: MemoryContentStore) -> MemoryContentUnitOfWork:
    return MemoryContentUnitOfWork(store)


async def test_same_bytes_are_stored_once(store):
    first = await service.store_blob(uow(store), b"essay text", "text/plain")
    second = await service.store_blob(uow(store), b"essay text", "application/pdf")
    assert first.created and not second.created
    assert first.blob.content_id == second.blob.content_id == content_id_of(b"essay text")
    assert second.blob.content_type == "text/plain"  # the first upload's type is kept
    assert len(store.blobs) == 1


async def test_fetch_unknown_blob_is_not_found(store):
    with pytest.raises(NotFound):
        await service.fetch_blob(MemoryBlobReader(store), "0" * 64)


async def test_inline_text_document_stores_its_blob(store):
    view = await service.create_document(
        uow(store), kind=DocumentKind.PROMPT, text="Skriv om sjöar", batch_id="b1"
    )
    _, data = await service.fetch_blob(MemoryBlobReader(store), view.document.content_id)
    assert data.decode() == "Skriv om sjöar"
    assert view.size == len("Skriv om sjöar".encode())
    assert view.content_type.startswith("text/plain")


async def test_document_over_unknown_blob_is_refused_and_nothing_is_kept(store):
    with pytest.raises(UnknownContent):
        await service.create_document(uow(store), kind=DocumentKind.OTHER, content_id="a" * 64)
    assert store.documents == {}


async def test_uncommitted_work_is_rolled_back(store):
    unit = uow(store)
    async with unit:
        await unit.blobs.add(*_blob(b"never committed"))
    assert store.blobs == {}


def _blob(data: bytes):
    from services.content_service.domain import Blob

    return Blob.of(data, None), data


async def test_update_is_compare_and_set_on_version(store):
    view = await service.create_document(uow(store), kind=DocumentKind.RUBRIC, text="rubric")
    updated = await service.update_document(
        uow(store), view.document.id, 1, DocumentChanges({"filename": "r.txt"})
    )
    assert updated.document.version == 2
    with pytest.raises(PreconditionFailed):
        await service.update_document(
            uow(store), view.document.id, 1, DocumentChanges({"filename": "stale.txt"})
        )
    assert (await service.get_document(uow(store), view.document.id)).document.filename == "r.txt"


async def test_soft_delete_hides_the_document_but_keeps_it_listable(store):
    view = await service.create_document(
        uow(store), kind=DocumentKind.ANCHOR, text="anchor", batch_id="b2"
    )
    await service.delete_document(uow(store), view.document.id)
    with pytest.raises(NotFound):
        await service.get_document(uow(store), view.document.id)
    assert await service.list_documents(uow(store), DocumentQuery(batch_id="b2")) == []
    listed = await service.list_documents(
        uow(store), DocumentQuery(batch_id="b2", include_deleted=True)
    )
    assert [v.document.id for v in listed] == [view.document.id]
    assert listed[0].document.deleted


async def test_list_filters_and_pages_in_creation_order(store):
    batch = uuid.uuid4().hex
    made = [
        await service.create_document(
            uow(store), kind=DocumentKind.EXTRACTED_TEXT, text=f"essay {i}", batch_id=batch
        )
        for i in range(5)
    ]
    await service.create_document(uow(store), kind=DocumentKind.PROMPT, text="p", batch_id=batch)
    first = await service.list_documents(
        uow(store), DocumentQuery(batch_id=batch, kind=DocumentKind.EXTRACTED_TEXT, limit=3)
    )
    last = first[-1].document
    rest = await service.list_documents(
        uow(store),
        DocumentQuery(
            batch_id=batch, kind=DocumentKind.EXTRACTED_TEXT, after=(last.created_at, last.id)
        ),
    )
    assert [v.document.id for v in first + rest] == [v.document.id for v in made]


async def test_purge_removes_only_unreferenced_old_blobs(store):
    kept = await service.create_document(uow(store), kind=DocumentKind.PROMPT, text="kept")
    orphan = await service.store_blob(uow(store), b"orphan", None)
    deleted = await service.create_document(uow(store), kind=DocumentKind.PROMPT, text="gone")
    await service.delete_document(uow(store), deleted.document.id)

    nothing = await service.purge(uow(store), grace=timedelta(hours=1))
    assert nothing.blobs == []  # everything is younger than the grace period

    report = await service.purge(uow(store), grace=timedelta(seconds=-1))
    assert sorted(report.blobs) == sorted([orphan.blob.content_id, deleted.document.content_id])
    assert report.documents_removed == 1
    assert list(store.blobs) == [kept.document.content_id]
