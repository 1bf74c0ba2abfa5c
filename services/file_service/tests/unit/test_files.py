"""file_service's upload, file and intake use cases against the in-memory unit of work, with
a batch gate we control."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import UTC, datetime

import pytest

from service_kit.clock import SettableClock, SystemClock
from service_kit.errors import Conflict, InvalidInput, NotFound, PeerUnavailable
from services.file_service.archive import ArchiveLimits, ArchivePart
from services.file_service.domain import (
    PROCESS_FILE,
    EssayLifecycleUrls,
    FileStatus,
    FileVersion,
    FileView,
    IncomingFile,
    Intake,
    UploadLimits,
    UploadRefused,
)
from services.file_service.extraction import ExtractionLimits
from services.file_service.repository_memory_impl import MemoryFileStore, MemoryFileUnitOfWork
from services.file_service.tests.fakes import FakeGate
from services.file_service.tests.unit import sample_files as sf
from services.file_service.use_cases import (
    DeleteFile,
    DeleteFileCommand,
    GetFile,
    GetFileCommand,
    ListBatchFiles,
    ListBatchFilesCommand,
    ListBatchFilesResult,
    ListFileVersions,
    ListFileVersionsCommand,
    ReplaceFile,
    ReplaceFileCommand,
    SealBatchIntake,
    SealBatchIntakeCommand,
    UploadFiles,
    UploadFilesCommand,
)

ELS = "http://els"
ESSAY_LIFECYCLE = EssayLifecycleUrls(ELS)
CLOCK = SystemClock()
MAX_FILE = 64 * 1024
LIMITS = ExtractionLimits(max_file_bytes=MAX_FILE)
ARCHIVE_LIMITS = ArchiveLimits(max_member_bytes=MAX_FILE)
UPLOAD_LIMITS = UploadLimits(max_parts=100)
ESSAY = "\n\n".join(sf.ESSAY_PARAGRAPHS).encode()


@pytest.fixture
def store() -> MemoryFileStore:
    return MemoryFileStore()


@pytest.fixture
def gate() -> FakeGate:
    return FakeGate()


def uow(store: MemoryFileStore) -> MemoryFileUnitOfWork:
    return MemoryFileUnitOfWork(store)


def nothing_stored(store: MemoryFileStore) -> bool:
    return not (store.files or store.versions or store.calls or store.jobs)


def uploader(store: MemoryFileStore, gate: FakeGate) -> UploadFiles:
    return UploadFiles(
        uow(store), gate, ESSAY_LIFECYCLE, LIMITS, ARCHIVE_LIMITS, UPLOAD_LIMITS, CLOCK
    )


async def upload(
    store: MemoryFileStore, gate: FakeGate, *files: IncomingFile, batch_id: str = "b1"
) -> list[FileView]:
    return await uploader(store, gate).execute(UploadFilesCommand(batch_id, list(files)))


async def replace(
    store: MemoryFileStore, gate: FakeGate, file_id: uuid.UUID, incoming: IncomingFile
) -> FileView:
    replacing = ReplaceFile(uow(store), gate, ESSAY_LIFECYCLE, LIMITS, CLOCK)
    return await replacing.execute(ReplaceFileCommand(file_id, incoming))


async def delete(store: MemoryFileStore, gate: FakeGate, file_id: uuid.UUID) -> None:
    await DeleteFile(uow(store), gate, ESSAY_LIFECYCLE, CLOCK).execute(DeleteFileCommand(file_id))


async def get(store: MemoryFileStore, file_id: uuid.UUID) -> FileView:
    return await GetFile(uow(store)).execute(GetFileCommand(file_id))


async def versions_of(store: MemoryFileStore, file_id: uuid.UUID) -> list[FileVersion]:
    return await ListFileVersions(uow(store)).execute(ListFileVersionsCommand(file_id))


async def list_page(
    store: MemoryFileStore,
    batch_id: str,
    *,
    limit: int = 10,
    cursor: str | None = None,
    include_deleted: bool = False,
) -> ListBatchFilesResult:
    command = ListBatchFilesCommand(batch_id, limit, cursor, include_deleted)
    return await ListBatchFiles(uow(store)).execute(command)


async def seal(store: MemoryFileStore, batch_id: str) -> Intake:
    return await SealBatchIntake(uow(store), CLOCK).execute(SealBatchIntakeCommand(batch_id))


async def upload_one(store: MemoryFileStore, gate: FakeGate, batch_id: str = "b1") -> FileView:
    (view,) = await upload(store, gate, IncomingFile("essay.txt", ESSAY), batch_id=batch_id)
    return view


# --------------------------------------------------------------------------- upload


async def test_good_and_bad_files_in_one_request_are_all_stored(store, gate):
    views = await upload(
        store,
        gate,
        IncomingFile("essay.txt", ESSAY, "text/plain"),
        IncomingFile("~$essay.docx", b"lock file bytes"),
        IncomingFile("empty.txt", b""),
        IncomingFile("picture.txt", sf.make_png()),
    )
    assert [v.version.filename for v in views] == [
        "essay.txt",
        "~$essay.docx",
        "empty.txt",
        "picture.txt",
    ]
    assert [v.version.status for v in views] == [
        FileStatus.PROCESSING,
        FileStatus.REJECTED,
        FileStatus.REJECTED,
        FileStatus.REJECTED,
    ]
    assert [v.version.error_code for v in views] == [
        None,
        "lock_file",
        "empty_file",
        "unsupported_type",
    ]
    assert gate.asked == ["b1"]
    assert set(store.files) == {v.file.id for v in views}
    assert all(v.file.batch_id == "b1" and v.file.current_version == 1 for v in views)

    good = views[0]
    stored, staged = store.versions[(good.file.id, 1)]
    assert staged == ESSAY  # kept for the job
    assert stored.sha256 == hashlib.sha256(ESSAY).hexdigest()
    assert stored.size == len(ESSAY)
    assert stored.kind == "txt"
    for bad in views[1:]:
        version, staged = store.versions[(bad.file.id, 1)]
        assert staged is None
        assert version.processed_at is not None
        assert version.error_message

    # one job per accepted file, deduplicated by file and version
    assert store.jobs == {
        f"file:{good.file.id}:v1": (PROCESS_FILE, {"file_id": str(good.file.id), "version": 1})
    }
    # one notification per upload-time rejection, straight into the outbox
    assert set(store.calls) == {f"file:{v.file.id}:v1" for v in views[1:]}
    for bad in views[1:]:
        method, url, body = store.calls[f"file:{bad.file.id}:v1"]
        assert (method, url) == ("POST", f"{ELS}/internal/v1/batches/b1/essays")
        assert body == {
            "file_id": str(bad.file.id),
            "filename": bad.version.filename,
            "version": 1,
            "error_code": bad.version.error_code,
            "error_message": bad.version.error_message,
        }


@pytest.mark.parametrize(
    ("files", "status", "codes"),
    [
        (
            [
                IncomingFile("big.txt", b"a" * (MAX_FILE + 1)),
                IncomingFile("huge.pdf", b"%PDF-" * MAX_FILE),
            ],
            413,
            ["file_too_large", "file_too_large"],
        ),
        (
            [IncomingFile("a.txt", sf.make_png()), IncomingFile("b.doc", sf.make_ole_doc())],
            415,
            ["unsupported_type", "unsupported_type"],
        ),
        (
            [IncomingFile("big.txt", b"a" * (MAX_FILE + 1)), IncomingFile("a.txt", sf.make_png())],
            422,
            ["file_too_large", "unsupported_type"],
        ),
        ([IncomingFile("~$essay.docx", b"x")], 422, ["lock_file"]),
        ([IncomingFile("empty.txt", b"")], 422, ["empty_file"]),
        (
            [IncomingFile("broken.docx", sf.make_corrupt_docx())],
            422,
            ["corrupt_document"],
        ),
    ],
    ids=["all-too-large", "all-unsupported", "mixed", "lock", "empty", "corrupt-zip"],
)
async def test_a_request_with_no_acceptable_file_is_refused_and_stores_nothing(
    store, gate, files, status, codes
):
    with pytest.raises(UploadRefused) as refused:
        await upload(store, gate, *files)
    assert refused.value.status == status
    reported = refused.value.extra["files"]
    assert [f["error_code"] for f in reported] == codes
    assert [f["filename"] for f in reported] == [f.filename for f in files]
    assert all(f["error_message"] for f in reported)
    assert nothing_stored(store)
    assert gate.asked == []  # refused before asking the orchestrator


async def test_a_request_without_files_is_invalid(store, gate):
    with pytest.raises(InvalidInput):
        await upload(store, gate)
    assert nothing_stored(store)


async def test_a_request_with_more_parts_than_allowed_is_invalid(store, gate):
    uploading = UploadFiles(
        uow(store), gate, ESSAY_LIFECYCLE, LIMITS, ARCHIVE_LIMITS, UploadLimits(max_parts=2), CLOCK
    )
    files = [IncomingFile(f"e{i}.txt", ESSAY) for i in range(3)]
    with pytest.raises(InvalidInput, match="at most 2 files per request"):
        await uploading.execute(UploadFilesCommand("b1", files))
    assert nothing_stored(store)
    assert gate.asked == []
    assert len(await uploading.execute(UploadFilesCommand("b1", files[:2]))) == 2


@pytest.mark.parametrize(
    "error", [Conflict("pipeline started"), PeerUnavailable("orchestrator down")]
)
async def test_a_closed_or_unknown_batch_gate_stores_nothing(store, gate, error):
    gate.error = error
    with pytest.raises(type(error)):
        await upload(store, gate, IncomingFile("essay.txt", ESSAY))
    assert gate.asked == ["b1"]
    assert nothing_stored(store)


# --------------------------------------------------------------------------- replace


async def test_replace_makes_version_two_and_schedules_its_job(store, gate):
    first = await upload_one(store, gate)
    file_id = first.file.id
    new_bytes = sf.make_docx(sf.ESSAY_PARAGRAPHS)
    view = await replace(store, gate, file_id, IncomingFile("essay-v2.docx", new_bytes))
    assert view.version.version == 2
    assert view.version.status is FileStatus.PROCESSING
    assert view.version.kind == "docx"
    assert set(store.jobs) == {f"file:{file_id}:v1", f"file:{file_id}:v2"}
    assert store.jobs[f"file:{file_id}:v2"] == (
        PROCESS_FILE,
        {"file_id": str(file_id), "version": 2},
    )
    assert store.versions[(file_id, 2)][1] == new_bytes
    assert store.files[file_id].current_version == 2

    current = await get(store, file_id)
    assert current.version.version == 2
    assert current.version.filename == "essay-v2.docx"
    versions = await versions_of(store, file_id)
    assert [(v.version, v.filename) for v in versions] == [
        (1, "essay.txt"),
        (2, "essay-v2.docx"),
    ]


async def test_replace_with_an_unacceptable_file_changes_nothing(store, gate):
    first = await upload_one(store, gate)
    with pytest.raises(UploadRefused) as refused:
        await replace(store, gate, first.file.id, IncomingFile("x.txt", sf.make_png()))
    assert refused.value.status == 415
    assert (first.file.id, 2) not in store.versions
    assert store.files[first.file.id].current_version == 1


async def test_replace_refused_by_the_gate_is_rolled_back(store, gate):
    first = await upload_one(store, gate)
    gate.error = Conflict("pipeline started")
    with pytest.raises(Conflict):
        await replace(store, gate, first.file.id, IncomingFile("v2.txt", ESSAY))
    assert (first.file.id, 2) not in store.versions
    assert set(store.jobs) == {f"file:{first.file.id}:v1"}


async def test_replace_unknown_or_deleted_file_is_not_found(store, gate):
    with pytest.raises(NotFound):
        await replace(store, gate, uuid.uuid4(), IncomingFile("v2.txt", ESSAY))
    first = await upload_one(store, gate)
    await delete(store, gate, first.file.id)
    with pytest.raises(NotFound):
        await replace(store, gate, first.file.id, IncomingFile("v2.txt", ESSAY))
    assert (first.file.id, 2) not in store.versions


# --------------------------------------------------------------------------- delete and read


async def test_delete_is_soft_and_tells_essay_lifecycle(store, gate):
    first = await upload_one(store, gate, batch_id="b7")
    other = await upload_one(store, gate, batch_id="b7")
    file_id = first.file.id
    await delete(store, gate, file_id)

    assert store.files[file_id].deleted_at is not None  # the row stays
    assert (file_id, 1) in store.versions
    assert store.calls[f"file:{file_id}:deleted"] == (
        "DELETE",
        f"{ELS}/internal/v1/batches/b7/files/{file_id}",
        None,
    )
    with pytest.raises(NotFound):
        await get(store, file_id)
    with pytest.raises(NotFound):
        await versions_of(store, file_id)
    with pytest.raises(NotFound):
        await delete(store, gate, file_id)

    listed = await list_page(store, "b7")
    assert [v.file.id for v in listed.items] == [other.file.id]
    assert listed.next_cursor is None
    with_deleted = await list_page(store, "b7", include_deleted=True)
    assert {v.file.id for v in with_deleted.items} == {file_id, other.file.id}


async def test_delete_refused_by_the_gate_keeps_the_file(store, gate):
    first = await upload_one(store, gate)
    gate.error = Conflict("pipeline started")
    with pytest.raises(Conflict):
        await delete(store, gate, first.file.id)
    assert store.files[first.file.id].deleted_at is None
    assert f"file:{first.file.id}:deleted" not in store.calls
    assert (await get(store, first.file.id)).file.id == first.file.id


async def test_unknown_files_are_not_found(store):
    missing = uuid.uuid4()
    with pytest.raises(NotFound):
        await get(store, missing)
    with pytest.raises(NotFound):
        await versions_of(store, missing)
    with pytest.raises(NotFound):
        await delete(store, FakeGate(), missing)
    assert await list_page(store, "nobody") == ListBatchFilesResult([], None)


async def test_list_pages_with_a_keyset_cursor(store, gate):
    views = await upload(
        store, gate, *(IncomingFile(f"e{i}.txt", ESSAY) for i in range(5)), batch_id="paged"
    )
    await upload_one(store, gate, batch_id="elsewhere")
    expected = sorted((v.file.created_at, v.file.id) for v in views)
    seen: list[uuid.UUID] = []
    cursor = None
    pages = 0
    while True:
        page = await list_page(store, "paged", limit=2, cursor=cursor)
        pages += 1
        assert len(page.items) <= 2
        seen += [v.file.id for v in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [file_id for _, file_id in expected]
    assert pages == 3  # 2 + 2 + 1: the last page says there is no next one


@pytest.mark.parametrize(
    ("limit", "cursor"),
    [(0, None), (501, None), (10, "not a cursor"), (10, "WyJvbmx5IG9uZSJd")],
    ids=["limit-0", "limit-501", "garbage-cursor", "cursor-of-one-value"],
)
async def test_a_bad_limit_or_cursor_is_invalid(store, gate, limit, cursor):
    await upload_one(store, gate)
    with pytest.raises(InvalidInput):
        await list_page(store, "b1", limit=limit, cursor=cursor)


# --------------------------------------------------------------------------- seal


async def test_a_batch_seals_only_when_every_file_has_its_outcome(store, gate):
    first = await upload_one(store, gate)
    second = await upload_one(store, gate)
    await upload(store, gate, IncomingFile("empty.txt", b""), IncomingFile("e.txt", ESSAY))
    reading = await seal(store, "b1")
    assert (reading.processing, reading.ready, reading.rejected) == (3, 0, 1)
    assert reading.sealed_at is None
    # the one still processing is deleted; the other two are read
    await delete(store, gate, first.file.id)
    for view in (second, *[v for v in await list_all(store) if v.file.id != second.file.id]):
        if view.version.status is FileStatus.PROCESSING:
            await finish(store, view)
    sealed = await seal(store, "b1")
    assert (sealed.processing, sealed.ready, sealed.rejected, sealed.files) == (0, 2, 1, 3)
    assert sealed.sealed_at is not None
    assert (await seal(store, "b1")).sealed_at == sealed.sealed_at
    with pytest.raises(Conflict) as closed:
        await upload_one(store, gate)
    assert closed.value.extra["code"] == "batch_sealed"
    with pytest.raises(Conflict):
        await delete(store, gate, second.file.id)
    assert (await seal(store, "b1")).files == 3
    # another batch is not affected
    await upload_one(store, gate, batch_id="b2")


async def test_a_batch_with_no_essay_is_never_sealed(store, gate):
    await upload(store, gate, IncomingFile("empty.txt", b""), IncomingFile("e.txt", ESSAY))
    (only,) = [v for v in await list_all(store) if v.version.status is FileStatus.PROCESSING]
    await finish(store, only, FileStatus.REJECTED)
    intake = await seal(store, "b1")
    assert (intake.ready, intake.rejected, intake.sealed_at) == (0, 2, None)
    await upload_one(store, gate)  # still open: the teacher can add a readable file


async def list_all(store: MemoryFileStore, batch_id: str = "b1") -> list[FileView]:
    return (await list_page(store, batch_id, limit=500)).items


async def finish(store: MemoryFileStore, view: FileView, status: FileStatus = FileStatus.READY):
    import dataclasses

    async with uow(store) as work:
        await work.files.finish_version(dataclasses.replace(view.version, status=status))
        await work.commit()


def _zip(members: list[tuple[str, bytes]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    buffer.seek(0)
    return buffer


async def test_an_archive_spanning_chunks_stores_every_member_like_a_loose_file(store, gate):
    members = [(f"class/e{i}.txt", ESSAY) for i in range(250)] + [("../x.txt", ESSAY)]
    part = ArchivePart("class.zip", _zip(members))
    views = await uploader(store, gate).execute(UploadFilesCommand("b1", [part]))
    assert len(views) == 251 == len(store.files)
    assert [v.version.filename for v in views[:2]] == ["e0.txt", "e1.txt"]
    assert views[-1].version.error_code == "archive_path_unsafe"
    assert len(store.jobs) == 250 and len(store.calls) == 1  # ELS hears of the refusal


async def test_an_archive_with_nothing_acceptable_stores_nothing(store, gate):
    part = ArchivePart("class.zip", _zip([(f"p{i}.txt", sf.make_png()) for i in range(150)]))
    with pytest.raises(UploadRefused):
        await uploader(store, gate).execute(UploadFilesCommand("b1", [part]))
    assert nothing_stored(store)


async def test_every_stamp_is_the_clock_s_time(store, gate):
    clock = SettableClock(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    uploading = UploadFiles(
        uow(store), gate, ESSAY_LIFECYCLE, LIMITS, ARCHIVE_LIMITS, UPLOAD_LIMITS, clock
    )
    good, bad = await uploading.execute(
        UploadFilesCommand("b1", [IncomingFile("e.txt", ESSAY), IncomingFile("x.txt", b"")])
    )
    t0 = clock.now()
    assert (good.file.created_at, good.file.updated_at, good.version.created_at) == (t0,) * 3
    assert (bad.version.created_at, bad.version.processed_at) == (t0, t0)  # refused at once
    assert good.version.processed_at is None

    replaced = await ReplaceFile(uow(store), gate, ESSAY_LIFECYCLE, LIMITS, clock).execute(
        ReplaceFileCommand(good.file.id, IncomingFile("v2.txt", ESSAY))
    )
    assert replaced.version.created_at == clock.now()
    assert store.files[good.file.id].updated_at == clock.now()

    t1 = clock.advance(minutes=5)
    await DeleteFile(uow(store), gate, ESSAY_LIFECYCLE, clock).execute(
        DeleteFileCommand(bad.file.id)
    )
    assert store.files[bad.file.id].deleted_at == store.files[bad.file.id].updated_at == t1

    await finish(store, replaced)
    t2 = clock.advance(minutes=5)
    intake = await SealBatchIntake(uow(store), clock).execute(SealBatchIntakeCommand("b1"))
    assert (intake.sealed, intake.sealed_at, intake.ready) == (True, t2, 1)
