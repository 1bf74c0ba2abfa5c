import pytest

from service_kit.errors import InvalidInput
from service_kit.pagination import clamp_limit, decode_cursor, encode_cursor


def test_cursor_round_trip_is_opaque():
    cursor = encode_cursor("2026-01-01T00:00:00+00:00", "abc")
    assert "2026" not in cursor
    assert decode_cursor(cursor, 2) == ["2026-01-01T00:00:00+00:00", "abc"]


@pytest.mark.parametrize("bad", ["!!!", "bm90IGpzb24", encode_cursor(1, 2, 3)])
def test_foreign_cursors_are_invalid_input(bad):
    with pytest.raises(InvalidInput):
        decode_cursor(bad, 2)


def test_limit_bounds():
    assert clamp_limit(None) == 50
    assert clamp_limit(10) == 10
    with pytest.raises(InvalidInput):
        clamp_limit(0)
    with pytest.raises(InvalidInput):
        clamp_limit(10_000)
