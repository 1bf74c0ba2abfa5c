"""Every CORE route of the gateway with bad bodies, headers and ids: 4xx problem+json,
never a 5xx (real PostgreSQL: a NUL or an over-long value must not reach it as an error)."""

import json

from services.api_gateway.app import BLUEPRINTS
from services.api_gateway.tests.integration.helpers import PROBLEM, api_key, make_user

BAD_IDS = ["0", "not-a-uuid", "%00", "x" * 300, "00000000-0000-0000-0000-000000000000", "..%2F.."]
BAD_BODIES: list[bytes | None] = [
    None,
    b"",
    b"{",
    b"[]",
    b"null",
    b"\xff\xfe",
    json.dumps({"email": 1, "password": ["x"], "role": {}, "name": None}).encode(),
    json.dumps(
        {
            "email": "a\u0000@b.se",
            "password": "p\u0000" * 8,
            "name": "n\u0000",
            "token": "\u0000",
            "role": "admin",
            "current_password": "\u0000",
            "new_password": "x",
        }
    ).encode(),
    json.dumps(
        {
            "email": "e" * 5000,
            "password": "p" * 5000,
            "name": "n" * 5000,
            "expires_at": "yesterday",
            "expires_in_hours": -1,
            "token": "t" * 5000,
        }
    ).encode(),
    json.dumps({"unexpected": True}).encode(),
]
BAD_QUERIES = [
    {},
    {"limit": "0"},
    {"limit": "abc"},
    {"limit": "100000"},
    {"cursor": "!!!"},
    {"cursor": "W10"},
    {"kind": "\u0000"},
]


def _paths(rule: str) -> list[str]:
    if "<" not in rule:
        return [rule]
    head, _, rest = rule.partition("<")
    _, _, tail = rest.partition(">")
    return [head + bad + tail for bad in BAD_IDS]


async def test_core_routes_answer_bad_input_with_4xx_problems(app):
    teacher_key = await api_key(app, await make_user(app, "teacher"))
    admin_key = await api_key(app, await make_user(app, "admin"))
    client = app.test_client()
    ours = {bp.name for bp in BLUEPRINTS if bp.name == "gateway"}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in ours]
    assert len(rules) >= 11
    header_sets = [
        {},
        {"Authorization": "Bearer egk_forged"},
        {"Authorization": "Basic Zm9vOmJhcg=="},
        {"Cookie": "gw_session=forged", "X-CSRF-Token": "forged"},
        {"Authorization": f"Bearer {teacher_key}"},
        {"Authorization": f"Bearer {admin_key}"},
    ]
    checked = 0
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for path in _paths(rule.rule):
                for headers in header_sets:
                    bodies = BAD_BODIES if method != "GET" else [None]
                    queries = BAD_QUERIES if method == "GET" else [{}]
                    for body in bodies:
                        for query in queries:
                            answer = await client.open(
                                path,
                                method=method,
                                data=body,
                                query_string=query,
                                headers={"Content-Type": "application/json", **headers},
                            )
                            where = (method, path, headers.get("Authorization"), body, query)
                            assert answer.status_code < 500, (where, await answer.get_data())
                            if answer.status_code >= 400:
                                assert answer.headers["Content-Type"] == PROBLEM, where
                            checked += 1
    assert checked > 500
