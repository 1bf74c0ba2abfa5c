import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from service_kit.db import Database
from service_kit.errors import InvalidInput
from service_kit.pagination import (
    clamp_limit,
    decode_cursor,
    encode_cursor,
    is_after,
    keyset_after,
    keyset_page_of,
    page,
    position_after,
)


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


# -- the keyset predicate, in SQL and in memory ------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ROWS = [
    (T0, uuid.UUID(int=2)),
    (T0, uuid.UUID(int=1)),
    (T0 + timedelta(seconds=1), uuid.UUID(int=0)),
    (T0 - timedelta(seconds=1), uuid.UUID(int=9)),
    (T0 + timedelta(seconds=1), uuid.UUID(int=5)),
]
ORDERED = sorted(ROWS)


def walk(fetch, limit):
    """Every page through ``fetch(after, limit + 1)`` with the cursors ``page`` makes."""
    seen, cursor = [], None
    while True:
        items, cursor = page(fetch(position_after(cursor), limit + 1), limit, lambda r: r)
        seen.extend(items)
        if cursor is None:
            return seen


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
def test_memory_pages_walk_every_row_once_in_order(limit):
    assert walk(lambda after, n: keyset_page_of(ROWS, lambda r: r, after, n), limit) == ORDERED


def test_is_after():
    assert is_after(ROWS[0], None)
    assert is_after((T0, uuid.UUID(int=3)), (T0, uuid.UUID(int=2)))
    assert not is_after((T0, uuid.UUID(int=2)), (T0, uuid.UUID(int=2)))
    assert not is_after((T0 - timedelta(1), uuid.UUID(int=9)), (T0, uuid.UUID(int=0)))


def test_sql_predicate_is_empty_on_the_first_page():
    table = sa.table("t", sa.column("created_at"), sa.column("id"))
    assert keyset_after(table.c.created_at, table.c.id, None) == []
    (condition,) = keyset_after(table.c.created_at, table.c.id, ROWS[0])
    sql = str(condition.compile(compile_kwargs={"literal_binds": False}))
    assert sql == "t.created_at > :created_at_1 OR t.created_at = :created_at_2 AND t.id > :id_1"


async def test_sql_and_memory_give_the_same_pages(make_database):
    metadata = sa.MetaData()
    table = sa.Table(
        "things",
        metadata,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    database = Database(await make_database("keyset"))
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.execute(
                sa.insert(table), [{"created_at": c, "id": i} for c, i in ROWS]
            )
        for limit in (1, 2, 3, 10):
            seen, cursor = [], None
            while True:
                after = position_after(cursor)
                async with database.engine.connect() as connection:
                    fetched = [
                        (row.created_at, row.id)
                        for row in await connection.execute(
                            sa.select(table)
                            .where(*keyset_after(table.c.created_at, table.c.id, after))
                            .order_by(table.c.created_at, table.c.id)
                            .limit(limit + 1)
                        )
                    ]
                assert fetched == keyset_page_of(ROWS, lambda r: r, after, limit + 1)
                items, cursor = page(fetched, limit, lambda r: r)
                seen.extend(items)
                if cursor is None:
                    break
            assert seen == ORDERED
    finally:
        await database.dispose()
