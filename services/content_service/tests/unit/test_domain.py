import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from service_kit.errors import InvalidInput
from services.content_service.domain import (
    Blob,
    Document,
    DocumentChanges,
    DocumentKind,
    InvalidContentId,
    content_id_of,
    require_content_id,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HELLO_ID = hashlib.sha256(b"hello").hexdigest()


def test_content_id_is_lowercase_sha256_hex():
    assert content_id_of(b"hello") == HELLO_ID
    assert require_content_id(HELLO_ID) == HELLO_ID


@pytest.mark.parametrize("bad", ["abc", HELLO_ID.upper(), HELLO_ID + "0", "g" * 64, ""])
def test_anything_else_is_not_a_content_id(bad):
    with pytest.raises(InvalidContentId) as error:
        require_content_id(bad)
    assert error.value.status == 400


def test_blob_defaults_its_type():
    blob = Blob.of(b"\x00\x01", None, T0)
    assert (blob.size, blob.content_type, blob.created_at) == (2, "application/octet-stream", T0)


def test_changes_bump_the_version_and_keep_the_rest():
    document = Document.new(HELLO_ID, DocumentKind.PROMPT, at=T0, batch_id="b1", filename="a.txt")
    assert (document.version, document.created_at, document.updated_at) == (1, T0, T0)
    changed = DocumentChanges({"filename": "b.txt"}).apply(document, T0 + timedelta(seconds=1))
    assert changed.version == document.version + 1
    assert changed.filename == "b.txt"
    assert (changed.batch_id, changed.kind, changed.id) == ("b1", DocumentKind.PROMPT, document.id)
    assert (changed.created_at, changed.updated_at) == (T0, T0 + timedelta(seconds=1))


def test_a_soft_delete_keeps_the_document_one_version_later():
    document = Document.new(HELLO_ID, DocumentKind.PROMPT, at=T0)
    later = T0 + timedelta(hours=1)
    deleted = document.soft_deleted(later)
    assert deleted.deleted and not document.deleted
    assert (deleted.version, deleted.deleted_at, deleted.updated_at) == (2, later, later)
    assert (deleted.id, deleted.content_id, deleted.created_at) == (document.id, HELLO_ID, T0)


@pytest.mark.parametrize(
    "values",
    [{}, {"id": "x"}, {"version": 9}, {"kind": None}, {"content_id": "nope"}],
)
def test_bad_changes_are_refused(values):
    with pytest.raises(InvalidInput):
        DocumentChanges(values)
