"""The ranking a page at a time and as one streamed CSV file, over the app on PostgreSQL
(issue 16: 100,000 essays fit in neither one JSON answer nor one string)."""

from __future__ import annotations

import csv
import io
import uuid

from services.cj_assessment.tests.integration.helpers import (
    PROBLEM,
    essays,
    eventually,
    fast_settings,
    running_app,
)


async def test_the_ranking_pages_and_the_csv_agree_with_the_assessment(database_url):
    async with running_app(fast_settings(database_url)) as app:
        client = app.test_client()
        created = await client.post("/v1/assessments", json={"essays": essays(23)})
        assert created.status_code == 201, await created.get_data()
        aid = (await created.get_json())["assessment_id"]

        async def finished() -> dict | None:
            got = await (await client.get(f"/v1/assessments/{aid}")).get_json()
            return got if got["status"] == "completed" else None

        final = await eventually(finished)
        pages, cursor = [], None
        while True:
            query = {"limit": 5, **({"cursor": cursor} if cursor else {})}
            answer = await client.get(f"/v1/assessments/{aid}/ranking", query_string=query)
            assert answer.status_code == 200, await answer.get_data()
            page = await answer.get_json()
            pages.append(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        streamed = await client.get(
            f"/v1/assessments/{aid}/ranking", query_string={"format": "csv"}
        )
        assert streamed.status_code == 200
        assert streamed.content_type == "text/csv; charset=utf-8"
        assert f"assessment-{aid}-ranking.csv" in streamed.headers["Content-Disposition"]
        text = (await streamed.get_data()).decode()
        bad = await client.get(f"/v1/assessments/{aid}/ranking", query_string={"cursor": "x!"})
        unknown = await client.get(f"/v1/assessments/{uuid.uuid4()}/ranking")
        unknown_csv = await client.get(
            f"/v1/assessments/{uuid.uuid4()}/ranking", query_string={"format": "csv"}
        )

    # five pages of 5, 5, 5, 5, 3: every ranked essay once, in rank order, as GET shows them
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    items = [item for page in pages for item in page]
    assert [i["rank"] for i in items] == list(range(1, 24))
    expected = [{k: r[k] for k in ("essay_id", "rank", "score", "se")} for r in final["ranking"]]
    assert [{k: i[k] for k in ("essay_id", "rank", "score", "se")} for i in items] == expected
    assert [i["comparisons"] for i in items] == [r["comparisons"] for r in final["ranking"]]
    # the CSV: a header and the same rows
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["essay_id"] for r in rows] == [i["essay_id"] for i in items]
    assert [int(r["rank"]) for r in rows] == list(range(1, 24))
    assert [float(r["score"]) for r in rows] == [i["score"] for i in items]
    # refused: a cursor we never issued (422 problem), an unknown assessment (404, even as CSV)
    assert bad.status_code == 422 and bad.content_type == PROBLEM
    assert unknown.status_code == 404 and unknown.content_type == PROBLEM
    assert unknown_csv.status_code == 404 and unknown_csv.content_type == PROBLEM
