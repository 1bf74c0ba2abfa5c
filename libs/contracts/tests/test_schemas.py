"""Producer and consumer use the contract classes themselves, so a message has one definition.

Before the services adopted the contracts, this module compared each service's own copy
with the contract model of the same name (so that adopting them left the OpenAPI as it
was). Now the copies are gone; these tests keep it that way: no service defines a class
of its own under a contract's name, and every contract is imported by the services."""

from __future__ import annotations

import ast
from pathlib import Path

import contracts

ROOT = Path(__file__).resolve().parents[3]

# same class name in a service, but another message (not one the contracts describe)
UNRELATED = {
    ("services/batch_orchestrator/schemas.py", "BatchIn"),  # the teacher's batch, public
    ("services/cj_assessment/schemas.py", "SummaryOut"),  # an assessment's summary
    ("services/cj_assessment/method/fitting.py", "RankedEssay"),  # the method's own row
    ("services/cj_assessment/use_cases/ranking.py", "RankedEssay"),  # a ranking page's row
}


def _service_sources() -> list[Path]:
    return [
        path
        for path in sorted((ROOT / "services").rglob("*.py"))
        if "tests" not in path.relative_to(ROOT).parts
        and "alembic" not in path.relative_to(ROOT).parts
    ]


def test_no_service_keeps_its_own_copy_of_a_contract() -> None:
    names = set(contracts.__all__)
    copies = set()
    for path in _service_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name in names:
                copies.add((str(path.relative_to(ROOT)), node.name))
    assert copies - UNRELATED == set()


def test_every_contract_is_used_by_a_service() -> None:
    imported: set[str] = set()
    for path in _service_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("contracts"):
                imported.update(alias.name for alias in node.names)
    assert set(contracts.__all__) - imported == set()
