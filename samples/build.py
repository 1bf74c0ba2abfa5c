"""Build samples/batch/ (what `make demo` uploads) from the texts in samples/sources/.

Each essay is written for the project and saved in the format its name maps to below, so the
sample batch mixes txt, docx and pdf in English and Swedish; `broken.docx` is a docx whose zip
archive was cut short, which file_service must reject with a clear error code. The built files
are committed; run `pdm run python samples/build.py` after editing a source.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

SAMPLES = Path(__file__).resolve().parent
SOURCES = SAMPLES / "sources"
BATCH = SAMPLES / "batch"
FORMATS = {
    "en01_phones_strong": "txt",
    "en02_phones_weak": "docx",
    "en03_uniforms": "pdf",
    "en04_homework": "txt",
    "en05_sport": "docx",
    "en06_reading": "pdf",
    "sv01_mobiler": "docx",
    "sv02_skoluniform": "txt",
    "sv03_laxor": "pdf",
    "sv04_idrott": "docx",
    "sv05_lasning": "txt",
}


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.strip().split("\n\n") if p.strip()]


def write_docx(text: str, path: Path) -> None:
    document = docx.Document()
    title, *body = paragraphs(text)
    document.add_heading(title, level=1)
    for paragraph in body:
        document.add_paragraph(paragraph)
    document.core_properties.author = "essay platform samples"
    document.save(str(path))


def write_pdf(text: str, path: Path) -> None:
    styles = getSampleStyleSheet()
    title, *body = paragraphs(text)
    story = [Paragraph(title, styles["Title"])]
    for paragraph in body:
        story += [Paragraph(paragraph, styles["BodyText"]), Spacer(1, 6)]
    SimpleDocTemplate(str(path), pagesize=A4, invariant=True).build(story)


def write_broken_docx(path: Path) -> None:
    """A real docx of the first essay, its zip archive cut in half (a failed download)."""
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph((SOURCES / "en01_phones_strong.txt").read_text(encoding="utf-8"))
    document.save(buffer)
    whole = buffer.getvalue()
    path.write_bytes(whole[: len(whole) // 2])


def main() -> None:
    BATCH.mkdir(exist_ok=True)
    for old in BATCH.iterdir():
        old.unlink()
    for name, kind in FORMATS.items():
        text = (SOURCES / f"{name}.txt").read_text(encoding="utf-8")
        target = BATCH / f"{name}.{kind}"
        if kind == "txt":
            target.write_text(text, encoding="utf-8")
        elif kind == "docx":
            write_docx(text, target)
        else:
            write_pdf(text, target)
    write_broken_docx(BATCH / "broken.docx")
    print(f"{len(FORMATS) + 1} files in {BATCH}")


if __name__ == "__main__":
    main()
