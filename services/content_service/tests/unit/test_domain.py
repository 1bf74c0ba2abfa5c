import hashlib

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
    blob = Blob.of(b"\x00\x01", None)
    assert (blob.size, blob.content_type) == (2, "application/octet-stream")


def test_changes_bump_the_version_and_keep_the_rest():
    document = Document.new(HELLO_ID, DocumentKind.PROMPT, batch_id="b1", filename="a.txt")
    changed = DocumentChanges({"filename": "b.txt"}).apply(document)
    assert changed.version == document.version + 1
    assert changed.filename == "b.txt"
    assert (changed.batch_id, changed.kind, changed.id) == ("b1", DocumentKind.PROMPT, document.id)
    assert changed.updated_at >= document.updated_at


@pytest.mark.parametrize(
    "values",
    [{}, {"id": "x"}, {"version": 9}, {"kind": None}, {"content_id": "nope"}],
)
def test_bad_changes_are_refused(values):
    with pytest.raises(InvalidInput):
        DocumentChanges(values)
