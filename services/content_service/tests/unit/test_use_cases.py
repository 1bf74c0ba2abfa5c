"""content_service use cases against the in-memory repositories."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from service_kit.errors import InvalidInput, NotFound, PreconditionFailed, PreconditionRequired
from services.content_service.domain import (
    Blob,
    DocumentKind,
    InvalidContentId,
    UnknownContent,
    content_id_of,
)
from services.content_service.repository_memory_impl import (
    MemoryBlobReader,
    MemoryContentStore,
    MemoryContentUnitOfWork,
)
from services.content_service.use_cases import (
    CreateDocument,
    CreateDocumentCommand,
    DeleteDocument,
    DeleteDocumentCommand,
    GetDocument,
    GetDocumentCommand,
    ListDocuments,
    ListDocumentsCommand,
    PurgeBlobs,
    PurgeBlobsCommand,
    ReadBlob,
    ReadBlobCommand,
    StoreBlob,
    StoreBlobCommand,
    UpdateDocument,
    UpdateDocumentCommand,
)


@pytest.fixture
def store() -> MemoryContentStore:
    return MemoryContentStore()


def uow(store: MemoryContentStore) -> MemoryContentUnitOfWork:
    return MemoryContentUnitOfWork(store)


async def store_blob(store, data: bytes, content_type: str | None = None):
    return await StoreBlob(uow(store)).execute(StoreBlobCommand(data, content_type))


async def read_blob(store, content_id: str, with_data: bool = True):
    return await ReadBlob(MemoryBlobReader(store)).execute(ReadBlobCommand(content_id, with_data))


async def create(store, **fields):
    return await CreateDocument(uow(store)).execute(CreateDocumentCommand(**fields))


async def get(store, document_id):
    return await GetDocument(uow(store)).execute(GetDocumentCommand(document_id))


async def list_(store, **fields):
    return await ListDocuments(uow(store)).execute(ListDocumentsCommand(**fields))


async def update(store, document_id, version, values):
    return await UpdateDocument(uow(store)).execute(
        UpdateDocumentCommand(document_id, version, values)
    )


async def delete(store, document_id, version=None):
    await DeleteDocument(uow(store)).execute(DeleteDocumentCommand(document_id, version))


async def purge(store, grace):
    return await PurgeBlobs(uow(store)).execute(PurgeBlobsCommand(grace))


async def test_same_bytes_are_stored_once(store):
    first = await store_blob(store, b"essay text", "text/plain")
    second = await store_blob(store, b"essay text", "application/pdf")
    assert first.created and not second.created
    assert first.blob.content_id == second.blob.content_id == content_id_of(b"essay text")
    assert second.blob.content_type == "text/plain"  # the first upload's type is kept
    assert len(store.blobs) == 1


async def test_fetch_unknown_blob_is_not_found(store):
    with pytest.raises(NotFound):
        await read_blob(store, "0" * 64)
    with pytest.raises(NotFound):
        await read_blob(store, "0" * 64, with_data=False)


async def test_a_malformed_content_id_is_refused_before_any_read(store):
    with pytest.raises(InvalidContentId):
        await read_blob(store, "not-a-hash")


async def test_read_blob_gives_the_bytes_or_only_what_they_are(store):
    stored = await store_blob(store, b"bytes", "text/plain")
    got = await read_blob(store, stored.blob.content_id)
    assert (got.blob, got.data) == (stored.blob, b"bytes")
    described = await read_blob(store, stored.blob.content_id, with_data=False)
    assert (described.blob, described.data) == (stored.blob, None)


async def test_inline_text_document_stores_its_blob(store):
    view = await create(store, kind=DocumentKind.PROMPT, text="Skriv om sjöar", batch_id="b1")
    got = await read_blob(store, view.document.content_id)
    assert got.data is not None
    assert got.data.decode() == "Skriv om sjöar"
    assert view.size == len("Skriv om sjöar".encode())
    assert view.content_type.startswith("text/plain")


async def test_document_over_unknown_blob_is_refused_and_nothing_is_kept(store):
    with pytest.raises(UnknownContent):
        await create(store, kind=DocumentKind.OTHER, content_id="a" * 64)
    assert store.documents == {}


async def test_a_repeated_idempotency_key_returns_the_first_document_as_it_is_now(store):
    first = await create(store, kind=DocumentKind.OTHER, text="one", idempotency_key="k1")
    await update(store, first.document.id, 1, {"filename": "later.txt"})
    again = await create(store, kind=DocumentKind.OTHER, text="two", idempotency_key="k1")
    assert again.document.id == first.document.id
    assert (again.document.version, again.document.filename) == (2, "later.txt")
    assert len(store.documents) == 1


async def test_a_failed_create_keeps_no_key(store):
    with pytest.raises(UnknownContent):
        await create(store, kind=DocumentKind.OTHER, content_id="a" * 64, idempotency_key="k2")
    made = await create(store, kind=DocumentKind.OTHER, text="now", idempotency_key="k2")
    assert made.document.version == 1
    assert store.answers == {("k2", "create_document"): {"document_id": str(made.document.id)}}


async def test_uncommitted_work_is_rolled_back(store):
    unit = uow(store)
    async with unit:
        await unit.blobs.add(
            Blob.of(b"never committed", None, datetime.now(UTC)), b"never committed"
        )
    assert store.blobs == {}


async def test_update_is_compare_and_set_on_version(store):
    view = await create(store, kind=DocumentKind.RUBRIC, text="rubric")
    updated = await update(store, view.document.id, 1, {"filename": "r.txt"})
    assert updated.document.version == 2
    with pytest.raises(PreconditionFailed) as stale:
        await update(store, view.document.id, 1, {"filename": "stale.txt"})
    assert stale.value.extra == {"current_version": 2}
    assert (await get(store, view.document.id)).document.filename == "r.txt"


async def test_update_needs_a_version_and_a_change(store):
    view = await create(store, kind=DocumentKind.RUBRIC, text="rubric")
    with pytest.raises(PreconditionRequired):
        await update(store, view.document.id, None, {"filename": "r.txt"})
    with pytest.raises(InvalidInput):
        await update(store, view.document.id, 1, {})
    with pytest.raises(InvalidInput):
        await update(store, view.document.id, 1, {"kind": None})
    assert (await get(store, view.document.id)).document.version == 1


async def test_soft_delete_hides_the_document_but_keeps_it_listable(store):
    view = await create(store, kind=DocumentKind.ANCHOR, text="anchor", batch_id="b2")
    await delete(store, view.document.id)
    with pytest.raises(NotFound):
        await get(store, view.document.id)
    with pytest.raises(NotFound):
        await delete(store, view.document.id)
    assert (await list_(store, batch_id="b2")).items == []
    listed = (await list_(store, batch_id="b2", include_deleted=True)).items
    assert [v.document.id for v in listed] == [view.document.id]
    assert listed[0].document.deleted
    assert listed[0].document.version == 2


async def test_delete_with_another_version_is_refused(store):
    view = await create(store, kind=DocumentKind.ANCHOR, text="anchor")
    with pytest.raises(PreconditionFailed):
        await delete(store, view.document.id, 7)
    await delete(store, view.document.id, 1)


async def test_list_filters_and_pages_in_creation_order(store):
    batch = uuid.uuid4().hex
    made = [
        await create(store, kind=DocumentKind.EXTRACTED_TEXT, text=f"essay {i}", batch_id=batch)
        for i in range(5)
    ]
    await create(store, kind=DocumentKind.PROMPT, text="p", batch_id=batch)
    first = await list_(store, batch_id=batch, kind=DocumentKind.EXTRACTED_TEXT, limit=3)
    assert first.next_cursor is not None
    rest = await list_(
        store, batch_id=batch, kind=DocumentKind.EXTRACTED_TEXT, cursor=first.next_cursor
    )
    assert rest.next_cursor is None
    assert [v.document.id for v in first.items + rest.items] == [v.document.id for v in made]


@pytest.mark.parametrize("fields", [{"limit": 0}, {"limit": 501}, {"cursor": "garbage"}])
async def test_list_refuses_a_bad_limit_or_a_foreign_cursor(store, fields):
    with pytest.raises(InvalidInput):
        await list_(store, **fields)


async def test_purge_removes_only_unreferenced_old_blobs(store):
    kept = await create(store, kind=DocumentKind.PROMPT, text="kept")
    orphan = await store_blob(store, b"orphan")
    deleted = await create(store, kind=DocumentKind.PROMPT, text="gone")
    await delete(store, deleted.document.id)

    nothing = await purge(store, grace=timedelta(hours=1))
    assert nothing.blobs == []  # everything is younger than the grace period

    report = await purge(store, grace=timedelta(seconds=-1))
    assert sorted(report.blobs) == sorted([orphan.blob.content_id, deleted.document.content_id])
    assert report.documents_removed == 1
    assert list(store.blobs) == [kept.document.content_id]
