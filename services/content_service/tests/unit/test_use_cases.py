"""content_service use cases against the in-memory repositories."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from service_kit.clock import SettableClock
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

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Content:
    """content_service's use cases over one in-memory store and a clock the test moves."""

    def __init__(self) -> None:
        self.store = MemoryContentStore()
        self.clock = SettableClock(T0)

    def uow(self) -> MemoryContentUnitOfWork:
        return MemoryContentUnitOfWork(self.store)

    async def store_blob(self, data: bytes, content_type: str | None = None):
        return await StoreBlob(self.uow(), self.clock).execute(StoreBlobCommand(data, content_type))

    async def read_blob(self, content_id: str, with_data: bool = True):
        reader = MemoryBlobReader(self.store)
        return await ReadBlob(reader).execute(ReadBlobCommand(content_id, with_data))

    async def create(self, **fields):
        return await CreateDocument(self.uow(), self.clock).execute(CreateDocumentCommand(**fields))

    async def get(self, document_id):
        return await GetDocument(self.uow()).execute(GetDocumentCommand(document_id))

    async def list_(self, **fields):
        return await ListDocuments(self.uow()).execute(ListDocumentsCommand(**fields))

    async def update(self, document_id, version, values):
        return await UpdateDocument(self.uow(), self.clock).execute(
            UpdateDocumentCommand(document_id, version, values)
        )

    async def delete(self, document_id, version=None):
        await DeleteDocument(self.uow(), self.clock).execute(
            DeleteDocumentCommand(document_id, version)
        )

    async def purge(self, grace):
        return await PurgeBlobs(self.uow(), self.clock).execute(PurgeBlobsCommand(grace))


@pytest.fixture
def content() -> Content:
    return Content()


async def test_same_bytes_are_stored_once(content):
    first = await content.store_blob(b"essay text", "text/plain")
    second = await content.store_blob(b"essay text", "application/pdf")
    assert first.created and not second.created
    assert first.blob.content_id == second.blob.content_id == content_id_of(b"essay text")
    assert second.blob.content_type == "text/plain"  # the first upload's type is kept
    assert len(content.store.blobs) == 1


async def test_fetch_unknown_blob_is_not_found(content):
    with pytest.raises(NotFound):
        await content.read_blob("0" * 64)
    with pytest.raises(NotFound):
        await content.read_blob("0" * 64, with_data=False)


async def test_a_malformed_content_id_is_refused_before_any_read(content):
    with pytest.raises(InvalidContentId):
        await content.read_blob("not-a-hash")


async def test_read_blob_gives_the_bytes_or_only_what_they_are(content):
    stored = await content.store_blob(b"bytes", "text/plain")
    got = await content.read_blob(stored.blob.content_id)
    assert (got.blob, got.data) == (stored.blob, b"bytes")
    described = await content.read_blob(stored.blob.content_id, with_data=False)
    assert (described.blob, described.data) == (stored.blob, None)


async def test_inline_text_document_stores_its_blob(content):
    view = await content.create(kind=DocumentKind.PROMPT, text="Skriv om sjöar", batch_id="b1")
    got = await content.read_blob(view.document.content_id)
    assert got.data is not None
    assert got.data.decode() == "Skriv om sjöar"
    assert view.size == len("Skriv om sjöar".encode())
    assert view.content_type.startswith("text/plain")


async def test_document_over_unknown_blob_is_refused_and_nothing_is_kept(content):
    with pytest.raises(UnknownContent):
        await content.create(kind=DocumentKind.OTHER, content_id="a" * 64)
    assert content.store.documents == {}


async def test_a_repeated_idempotency_key_returns_the_first_document_as_it_is_now(content):
    first = await content.create(kind=DocumentKind.OTHER, text="one", idempotency_key="k1")
    await content.update(first.document.id, 1, {"filename": "later.txt"})
    again = await content.create(kind=DocumentKind.OTHER, text="two", idempotency_key="k1")
    assert again.document.id == first.document.id
    assert (again.document.version, again.document.filename) == (2, "later.txt")
    assert len(content.store.documents) == 1


async def test_a_failed_create_keeps_no_key(content):
    with pytest.raises(UnknownContent):
        await content.create(kind=DocumentKind.OTHER, content_id="a" * 64, idempotency_key="k2")
    made = await content.create(kind=DocumentKind.OTHER, text="now", idempotency_key="k2")
    assert made.document.version == 1
    answer = {"document_id": str(made.document.id)}
    assert content.store.answers == {("k2", "create_document"): answer}


async def test_uncommitted_work_is_rolled_back(content):
    unit = content.uow()
    async with unit:
        await unit.blobs.add(Blob.of(b"never committed", None, T0), b"never committed")
    assert content.store.blobs == {}


async def test_update_is_compare_and_set_on_version(content):
    view = await content.create(kind=DocumentKind.RUBRIC, text="rubric")
    updated = await content.update(view.document.id, 1, {"filename": "r.txt"})
    assert updated.document.version == 2
    with pytest.raises(PreconditionFailed) as stale:
        await content.update(view.document.id, 1, {"filename": "stale.txt"})
    assert stale.value.extra == {"current_version": 2}
    assert (await content.get(view.document.id)).document.filename == "r.txt"


async def test_the_times_are_the_clocks(content):
    view = await content.create(kind=DocumentKind.PROMPT, text="timed")
    blob = await content.read_blob(view.document.content_id, with_data=False)
    assert (view.document.created_at, view.document.updated_at, blob.blob.created_at) == (
        T0,
        T0,
        T0,
    )
    changed_at = content.clock.advance(minutes=5)
    updated = await content.update(view.document.id, 1, {"filename": "t.txt"})
    assert (updated.document.created_at, updated.document.updated_at) == (T0, changed_at)
    deleted_at = content.clock.advance(minutes=5)
    await content.delete(view.document.id)
    listed = (await content.list_(include_deleted=True)).items
    assert (listed[0].document.deleted_at, listed[0].document.updated_at) == (
        deleted_at,
        deleted_at,
    )


async def test_update_needs_a_version_and_a_change(content):
    view = await content.create(kind=DocumentKind.RUBRIC, text="rubric")
    with pytest.raises(PreconditionRequired):
        await content.update(view.document.id, None, {"filename": "r.txt"})
    with pytest.raises(InvalidInput):
        await content.update(view.document.id, 1, {})
    with pytest.raises(InvalidInput):
        await content.update(view.document.id, 1, {"kind": None})
    assert (await content.get(view.document.id)).document.version == 1


async def test_soft_delete_hides_the_document_but_keeps_it_listable(content):
    view = await content.create(kind=DocumentKind.ANCHOR, text="anchor", batch_id="b2")
    await content.delete(view.document.id)
    with pytest.raises(NotFound):
        await content.get(view.document.id)
    with pytest.raises(NotFound):
        await content.delete(view.document.id)
    assert (await content.list_(batch_id="b2")).items == []
    listed = (await content.list_(batch_id="b2", include_deleted=True)).items
    assert [v.document.id for v in listed] == [view.document.id]
    assert listed[0].document.deleted
    assert listed[0].document.version == 2


async def test_delete_with_another_version_is_refused(content):
    view = await content.create(kind=DocumentKind.ANCHOR, text="anchor")
    with pytest.raises(PreconditionFailed):
        await content.delete(view.document.id, 7)
    await content.delete(view.document.id, 1)


async def test_list_filters_and_pages_in_creation_order(content):
    batch = uuid.uuid4().hex
    made = []
    for i in range(5):
        content.clock.advance(seconds=1)
        made.append(
            await content.create(
                kind=DocumentKind.EXTRACTED_TEXT, text=f"essay {i}", batch_id=batch
            )
        )
    await content.create(kind=DocumentKind.PROMPT, text="p", batch_id=batch)
    first = await content.list_(batch_id=batch, kind=DocumentKind.EXTRACTED_TEXT, limit=3)
    assert first.next_cursor is not None
    rest = await content.list_(
        batch_id=batch, kind=DocumentKind.EXTRACTED_TEXT, cursor=first.next_cursor
    )
    assert rest.next_cursor is None
    assert [v.document.id for v in first.items + rest.items] == [v.document.id for v in made]


async def test_documents_made_at_one_instant_page_in_id_order(content):
    made = [await content.create(kind=DocumentKind.OTHER, text=f"same time {i}") for i in range(4)]
    first = await content.list_(limit=2)
    rest = await content.list_(cursor=first.next_cursor)
    ids = [v.document.id for v in first.items + rest.items]
    assert ids == sorted(v.document.id for v in made)


@pytest.mark.parametrize("fields", [{"limit": 0}, {"limit": 501}, {"cursor": "garbage"}])
async def test_list_refuses_a_bad_limit_or_a_foreign_cursor(content, fields):
    with pytest.raises(InvalidInput):
        await content.list_(**fields)


async def test_purge_removes_only_unreferenced_old_blobs(content):
    kept = await content.create(kind=DocumentKind.PROMPT, text="kept")
    orphan = await content.store_blob(b"orphan")
    deleted = await content.create(kind=DocumentKind.PROMPT, text="gone")
    await content.delete(deleted.document.id)

    content.clock.advance(minutes=59)
    nothing = await content.purge(grace=timedelta(hours=1))
    assert nothing.blobs == []  # everything is younger than the grace period

    content.clock.advance(minutes=2)
    report = await content.purge(grace=timedelta(hours=1))
    assert sorted(report.blobs) == sorted([orphan.blob.content_id, deleted.document.content_id])
    assert report.documents_removed == 1
    assert list(content.store.blobs) == [kept.document.content_id]
