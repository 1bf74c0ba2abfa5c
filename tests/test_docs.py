"""The docs name only what exists.

- Every ``services/…`` or ``libs/…`` path named in the top-level README.md, in docs/*.md
  (architecture, operations, benchmarks), in a library's or a service's README exists in the
  tree.
- Every service README opens with a "Where things are" table; every file, folder and name
  in its "use case" and "file" columns exists: files and folders relative to the service (or
  to the folder named just before in the same cell, or to the repository), names (``CreateBatch``,
  ``domain.check_password``, ``contracts.spellcheck.JobIn``) defined in the service's code or
  in libs/.

Run it as a script to list every wrong entry at once:
``PYTHONPATH=$PWD/libs:$PWD python tests/test_docs.py``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(p.parent for p in (ROOT / "services").glob("*/README.md"))
TREE_DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "libs").glob("*/README.md")),
    *(d / "README.md" for d in SERVICES),
]

# services/x/y.py, libs/service_kit/messaging/, services/<name>/…
TREE_PATH = re.compile(r"(?<![\w/.-])((?:services|libs)/[\w./*<>{}-]*)")
BACKTICKED = re.compile(r"`([^`]+)`")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(\))?$")
FILEISH = re.compile(r"^[\w./*-]+(?:\.py|\.md|\.ini|\.toml|/)$|^[\w./-]+/[\w.*-]+$")


def _exists(path: str) -> bool:
    path = path.rstrip(".,;:)")
    if any(mark in path for mark in "<>{}"):  # a pattern: services/<name>/app.py
        return True
    if "*" in path:
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


def tree_paths(doc: Path) -> list[str]:
    """Every services/ or libs/ path named in the document, in order."""
    return [match.group(1) for match in TREE_PATH.finditer(doc.read_text())]


def missing_tree_paths(doc: Path) -> list[str]:
    return [path for path in tree_paths(doc) if not _exists(path)]


@cache
def _sources(base: Path) -> dict[Path, str]:
    return {
        path: path.read_text()
        for path in base.rglob("*.py")
        if "alembic" not in path.parts and ".venv" not in path.parts
    }


def _defines(text: str, name: str) -> bool:
    pattern = (
        rf"^\s*(?:async\s+def|def|class)\s+{name}\b"  # def / class
        rf"|^\s*{name}\s*(?::[^=\n]*)?="  # NAME = … / NAME: type = …
        rf"|^\s*{name}\s*:"  # a field or an attribute
        rf"|\bimport\b[^\n]*\b{name}\b|^\s+{name},?$"  # re-exported
    )
    return re.search(pattern, text, re.MULTILINE) is not None


def _module(service: Path, dotted: list[str]) -> Path | None:
    """services/<s>/a/b.py or a/b/__init__.py, else libs/<a>/b.py."""
    for base in (service, ROOT / "libs", ROOT):
        candidate = base.joinpath(*dotted)
        if candidate.with_suffix(".py").is_file():
            return candidate.with_suffix(".py")
        if (candidate / "__init__.py").is_file():
            return candidate / "__init__.py"
    return None


def name_exists(service: Path, token: str) -> bool:
    parts = token.removesuffix("()").split(".")
    # the longest prefix that is a module; the rest are names in it
    for cut in range(len(parts), 0, -1):
        module = _module(service, parts[:cut])
        if module is not None:
            rest = parts[cut:]
            if not rest:
                return True
            near = _sources(module.parent).values()
            return _defines(module.read_text(), rest[0]) and all(
                any(_defines(text, name) for text in near) for name in rest[1:]
            )
    sources = {**_sources(service), **_sources(ROOT / "libs")}
    return all(any(_defines(text, name) for text in sources.values()) for name in parts)


def found_file(token: str, bases: list[Path]) -> Path | None:
    for base in bases:
        if "*" in token:
            if found := next(iter(base.glob(token)), None):
                return found
        elif (base / token).exists():
            return base / token
    return None


def file_exists(service: Path, token: str, bases: list[Path]) -> bool:
    return found_file(token, bases) is not None


def where_tables(readme: Path) -> list[list[list[str]]]:
    """Every "Where things are" table of the README ("## Where things are", and a part's own,
    "### Where things are (EDGE)")."""
    lines = readme.read_text().splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^#+ Where things are\b", line)]
    return [_table_after(lines, start) for start in starts]


def where_table(readme: Path) -> list[list[str]]:
    """The rows (cells) of the first "Where things are" table, all the READMEs open with."""
    tables = where_tables(readme)
    return tables[0] if tables else []


def _table_after(lines: list[str], start: int) -> list[list[str]]:
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if not line.strip():
            if rows:
                break
            continue
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue
        rows.append(cells)
    return rows[1:]  # without the header


def wrong_table_entries(service: Path) -> list[str]:
    wrong: list[str] = []
    rows = [row for table in where_tables(service / "README.md") for row in table]
    for cells in rows:
        for cell in cells[1:]:
            bases = [service, service / "tests", ROOT]
            for token in BACKTICKED.findall(cell):
                token = token.strip()
                if " " in token:
                    continue
                if FILEISH.match(token):
                    found = found_file(token, bases)
                    if found is not None:
                        # a later bare name in the cell may be in the same folder
                        bases.insert(0, found if found.is_dir() else found.parent)
                    else:
                        wrong.append(f"{cells[0][:50]!r}: file {token}")
                elif IDENTIFIER.match(token) and not name_exists(service, token):
                    wrong.append(f"{cells[0][:50]!r}: name {token}")
    return wrong


@pytest.mark.parametrize("doc", TREE_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_named_tree_paths_exist(doc: Path) -> None:
    assert missing_tree_paths(doc) == []


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_readme_opens_with_where_things_are(service: Path) -> None:
    text = (service / "README.md").read_text()
    assert text.splitlines()[2] == "## Where things are", "the README opens with the table"
    assert len(where_table(service / "README.md")) >= 5


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_where_things_are_names_what_exists(service: Path) -> None:
    assert wrong_table_entries(service) == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """A made-up path, file or use case is caught (the checks are not vacuous)."""
    doc = tmp_path / "doc.md"
    doc.write_text("see `services/content_service/nothing_here.py` and libs/service_kit/app.py\n")
    assert missing_tree_paths(doc) == ["services/content_service/nothing_here.py"]
    service = ROOT / "services" / "content_service"
    assert name_exists(service, "StoreBlob")
    assert not name_exists(service, "StoreBlobs")
    assert name_exists(service, "contracts.content.DocumentIn")
    assert not name_exists(service, "contracts.content.DocumentInn")
    assert file_exists(service, "use_cases/blobs.py", [service])
    assert not file_exists(service, "use_cases/blob.py", [service])


if __name__ == "__main__":
    for doc in TREE_DOCS:
        for path in missing_tree_paths(doc):
            print(f"{doc.relative_to(ROOT)}: no {path}")
    for service in SERVICES:
        for entry in wrong_table_entries(service):
            print(f"{service.name}/README.md: {entry}")
