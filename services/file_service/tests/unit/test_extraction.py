"""Unit tests for services.file_service.extraction, driven by real files built in memory."""

from __future__ import annotations

import io
import logging
import random
import zipfile

import pytest

from services.file_service.extraction import (
    ExtractedText,
    ExtractionLimits,
    FileErrorCode,
    FileKind,
    FileRejected,
    check_upload,
    count_words,
    extract_text,
    normalise_text,
    sniff_kind,
)
from services.file_service.tests.unit import sample_files as sf

ESSAY_TEXT = "\n\n".join(sf.ESSAY_PARAGRAPHS)
LIMITS = ExtractionLimits()


def _rejected(filename: str, data: bytes, limits: ExtractionLimits = LIMITS) -> FileRejected:
    with pytest.raises(FileRejected) as excinfo:
        extract_text(filename, data, limits)
    assert excinfo.value.message, "every rejection carries a human-readable message"
    return excinfo.value


@pytest.fixture(autouse=True)
def _quiet_pypdf() -> None:
    # pypdf logs warnings for every broken file the fuzz tests feed it.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return sf.make_docx_zip_bomb(uncompressed_mb=200)


# --------------------------------------------------------------------------- check_upload


@pytest.mark.parametrize(
    "filename",
    [
        "~$uppsats.docx",
        "C:\\Users\\elev\\Documents\\~$uppsats.docx",
        "dir/~$a.odt",
        ".~lock.x.odt#",
    ],
)
def test_check_upload_rejects_lock_files(filename: str) -> None:
    with pytest.raises(FileRejected) as excinfo:
        check_upload(filename, 162, LIMITS)
    assert excinfo.value.code is FileErrorCode.LOCK_FILE


def test_check_upload_rejects_empty_and_oversize() -> None:
    with pytest.raises(FileRejected) as empty:
        check_upload("essay.docx", 0, LIMITS)
    assert empty.value.code is FileErrorCode.EMPTY_FILE
    with pytest.raises(FileRejected) as big:
        check_upload("essay.docx", LIMITS.max_file_bytes + 1, LIMITS)
    assert big.value.code is FileErrorCode.FILE_TOO_LARGE
    assert "MB" in big.value.message


def test_check_upload_accepts_normal_upload() -> None:
    # "~$" only marks a lock file at the start of the basename; the size limit is inclusive.
    for name in ("uppsats~$final.docx", "~/essays/uppsats.docx", "C:\\tmp\\a.pdf"):
        check_upload(name, LIMITS.max_file_bytes, LIMITS)  # must not raise


def test_file_rejected_exposes_code_and_message() -> None:
    error = FileRejected(FileErrorCode.EMPTY_FILE, "It is empty.")
    assert error.code == "empty_file"
    assert error.message == "It is empty."
    assert "empty_file" in str(error) and "It is empty." in str(error)


# --------------------------------------------------------------------------- rejections


def test_empty_file_is_rejected() -> None:
    assert _rejected("essay.txt", b"").code is FileErrorCode.EMPTY_FILE


def test_oversize_file_is_rejected_before_parsing() -> None:
    docx = sf.make_docx(sf.ESSAY_PARAGRAPHS)
    limits = ExtractionLimits(max_file_bytes=len(docx) - 1)
    assert _rejected("essay.docx", docx, limits).code is FileErrorCode.FILE_TOO_LARGE


def test_lock_file_is_rejected_even_with_valid_content() -> None:
    docx = sf.make_docx(sf.ESSAY_PARAGRAPHS)
    assert _rejected("~$essay.docx", docx).code is FileErrorCode.LOCK_FILE


@pytest.mark.parametrize(
    ("filename", "data", "hint"),
    [
        ("essay.txt", sf.make_png(), "PNG"),
        ("essay.doc", sf.make_ole_doc(), ".doc"),
        ("essay.docx", sf.make_ole_doc(), ".doc"),
        ("essay.pdf", sf.make_jpeg(), "JPEG"),
        ("essay.txt", sf.make_elf(), "executable"),
        ("essay.txt", bytes(range(256)) * 4, "binary"),
    ],
)
def test_binary_files_are_unsupported(filename: str, data: bytes, hint: str) -> None:
    error = _rejected(filename, data)
    assert error.code is FileErrorCode.UNSUPPORTED_TYPE
    assert hint in error.message


def test_zip_that_is_not_a_document_is_unsupported() -> None:
    assert (
        _rejected("essay.docx", sf.make_zip_without_document()).code
        is FileErrorCode.UNSUPPORTED_TYPE
    )


def test_zip_with_foreign_mimetype_is_unsupported() -> None:
    epub = sf.make_zip({"mimetype": b"application/epub+zip", "content.xml": b"<x/>"})
    assert _rejected("essay.odt", epub).code is FileErrorCode.UNSUPPORTED_TYPE


def test_corrupt_docx_container() -> None:
    error = _rejected("essay.docx", sf.make_corrupt_docx())
    assert error.code is FileErrorCode.CORRUPT_DOCUMENT


def test_docx_with_broken_xml_is_corrupt() -> None:
    assert (
        _rejected("essay.docx", sf.make_docx_with_broken_xml()).code
        is FileErrorCode.CORRUPT_DOCUMENT
    )


def test_truncated_docx_is_corrupt() -> None:
    docx = sf.make_docx(sf.ESSAY_PARAGRAPHS)
    assert _rejected("essay.docx", docx[: len(docx) // 2]).code is FileErrorCode.CORRUPT_DOCUMENT


def test_rtf_with_raw_binary_is_corrupt() -> None:
    data = b"{\\rtf1\\ansi " + random.Random(5).randbytes(3000) + b"}"
    assert _rejected("essay.rtf", data).code is FileErrorCode.CORRUPT_DOCUMENT


def test_odt_with_missing_content_is_corrupt() -> None:
    odt = sf.make_zip({"mimetype": b"application/vnd.oasis.opendocument.text"})
    assert _rejected("essay.odt", odt).code is FileErrorCode.CORRUPT_DOCUMENT


def test_docx_zip_bomb_is_rejected_with_default_limits(docx_bomb: bytes) -> None:
    assert len(docx_bomb) < LIMITS.max_file_bytes  # small upload, huge when unpacked
    with zipfile.ZipFile(io.BytesIO(docx_bomb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 200 * 1024 * 1024
    error = _rejected("essay.docx", docx_bomb)
    assert error.code is FileErrorCode.ARCHIVE_TOO_LARGE
    assert "MB" in error.message


def test_absurd_compression_ratio_is_rejected_below_size_limit() -> None:
    bomb = sf.make_docx_zip_bomb(uncompressed_mb=20)  # 20 MiB < 100 MiB, but ratio ~400:1
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) < LIMITS.max_uncompressed_bytes
    assert _rejected("essay.docx", bomb).code is FileErrorCode.ARCHIVE_TOO_LARGE


def test_odt_zip_bomb_is_rejected() -> None:
    assert _rejected("essay.odt", sf.make_odt_zip_bomb(5)).code is FileErrorCode.ARCHIVE_TOO_LARGE


def test_uncompressed_size_limit_applies_to_normal_documents() -> None:
    limits = ExtractionLimits(max_uncompressed_bytes=1_000)
    docx = sf.make_docx(sf.ESSAY_PARAGRAPHS)
    assert _rejected("essay.docx", docx, limits).code is FileErrorCode.ARCHIVE_TOO_LARGE


def test_password_protected_pdf() -> None:
    error = _rejected("essay.pdf", sf.make_encrypted_pdf(ESSAY_TEXT, user_password="secret"))
    assert error.code is FileErrorCode.ENCRYPTED_PDF
    assert "password" in error.message


def test_pdf_with_empty_user_password_is_extracted() -> None:
    data = sf.make_encrypted_pdf(sf.SWEDISH_TEXT, user_password="", owner_password="owner")
    result = extract_text("essay.pdf", data)
    assert result.kind is FileKind.PDF
    assert "sjöar och älvar" in result.text


@pytest.mark.parametrize(
    "data",
    [
        sf.make_garbage_pdf(),
        b"%PDF-1.4\n",
        sf.make_pdf([ESSAY_TEXT])[:200],
    ],
    ids=["garbage", "header-only", "truncated"],
)
def test_broken_pdf_is_unreadable(data: bytes) -> None:
    assert _rejected("essay.pdf", data).code is FileErrorCode.UNREADABLE_PDF


def test_pdf_without_text_layer_is_unreadable() -> None:
    error = _rejected("scan.pdf", sf.make_image_only_pdf(pages=2))
    assert error.code is FileErrorCode.UNREADABLE_PDF
    assert "text layer" in error.message


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("essay.txt", b"Too short."),
        ("essay.docx", sf.make_docx(["Kort."])),
        ("essay.odt", sf.make_odt(["Kort."])),
        ("essay.rtf", sf.make_rtf("Kort.")),
        ("essay.pdf", sf.make_pdf(["Kort."])),
        ("essay.docx", sf.make_docx([])),
        ("essay.txt", b"   \n\n\t  \r\n  "),
    ],
)
def test_text_too_short(filename: str, data: bytes) -> None:
    error = _rejected(filename, data)
    assert error.code is FileErrorCode.TEXT_TOO_SHORT
    assert str(LIMITS.min_text_chars) in error.message


def test_text_too_long_via_limits() -> None:
    limits = ExtractionLimits(max_text_chars=100)
    assert _rejected("essay.txt", ESSAY_TEXT.encode(), limits).code is FileErrorCode.TEXT_TOO_LONG
    docx = sf.make_docx(sf.ESSAY_PARAGRAPHS)
    assert _rejected("essay.docx", docx, limits).code is FileErrorCode.TEXT_TOO_LONG


def test_length_bounds_are_inclusive() -> None:
    text = "a" * 60
    limits = ExtractionLimits(min_text_chars=60, max_text_chars=60)
    assert extract_text("essay.txt", text.encode(), limits).char_count == 60


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(1, 32)) * 40,  # control characters, no NUL
        random.Random(7).randbytes(4000).replace(b"\x00", b"\x01"),  # noise without NUL
        b"\xff\xfe" + "Det här är en uppsats".encode("utf-16-le") + b"\x00\xd8",  # lone surrogate
    ],
    ids=["controls", "random-no-nul", "bad-utf16"],
)
def test_undecodable_text(data: bytes) -> None:
    assert _rejected("essay.txt", data).code is FileErrorCode.UNDECODABLE_TEXT


# --------------------------------------------------------------------------- sniffing


def test_sniff_kind_uses_content_not_extension() -> None:
    docx = sf.make_docx(sf.ESSAY_PARAGRAPHS)
    assert sniff_kind("essay.txt", docx) is FileKind.DOCX
    assert sniff_kind("essay.docx", sf.make_odt(sf.ESSAY_PARAGRAPHS)) is FileKind.ODT
    assert sniff_kind("essay", sf.make_pdf(["Hej"])) is FileKind.PDF
    assert sniff_kind("essay.doc", sf.make_rtf("Hej")) is FileKind.RTF
    assert sniff_kind("essay.pdf", b"plain text, really") is FileKind.TXT
    assert sniff_kind("ESSAY.MD", b"# Rubrik") is FileKind.MARKDOWN
    assert sniff_kind("essay.markdown", b"# Rubrik") is FileKind.MARKDOWN
    assert sniff_kind("essay.txt", "hej".encode("utf-16")) is FileKind.TXT
    assert sniff_kind("essay.txt", b"\xef\xbb\xbf  %PDF-1.7\n") is FileKind.PDF


def test_text_named_pdf_is_extracted_as_text() -> None:
    result = extract_text("essay.pdf", ESSAY_TEXT.encode())
    assert result.kind is FileKind.TXT
    assert result.page_count is None


def test_png_named_txt_is_rejected_by_sniffing() -> None:
    with pytest.raises(FileRejected) as excinfo:
        sniff_kind("essay.txt", sf.make_png())
    assert excinfo.value.code is FileErrorCode.UNSUPPORTED_TYPE


# --------------------------------------------------------------------------- extraction


def test_docx_paragraphs_and_table_in_body_order() -> None:
    data = sf.make_docx(
        ["Inledning: " + sf.SWEDISH_TEXT],
        table_rows=[["Sjö", "Area km²"], ["Vänern", "5 650"], ["Vättern", "1 893"]],
        paragraphs_after_table=["Avslutning: sjöarna är viktiga för oss alla."],
        heading="Våra sjöar",
    )
    result = extract_text("uppsats.docx", data)
    assert result.kind is FileKind.DOCX
    assert result.encoding is None and result.page_count is None
    text = result.text
    assert text.startswith("Våra sjöar\n\nInledning: Det här är en uppsats")
    assert "Sjö Area km²\nVänern 5 650\nVättern 1 893" in text
    assert text.index("Inledning") < text.index("Vänern 5 650") < text.index("Avslutning")
    assert text.endswith("Avslutning: sjöarna är viktiga för oss alla.")
    assert result.char_count == len(text)
    assert result.word_count == count_words(text)


def test_docx_content_controls_insertions_hyperlinks_and_nested_tables() -> None:
    def p(*runs: str) -> str:
        return "<w:p>" + "".join(runs) + "</w:p>"

    def r(text: str) -> str:
        return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'

    def tc(*blocks: str, span: int = 1) -> str:
        return f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>{"".join(blocks)}</w:tc>'

    nested = f"<w:tbl><w:tr>{tc(p(r('inre A')))}{tc(p(r('inre B')))}</w:tr></w:tbl>"
    body = (
        p(r("Första stycket om sjöar, "), f"<w:ins>{r('infogad text, ')}</w:ins>", r("slut."))
        + p(r("Läs mer på "), f"<w:hyperlink>{r('SMHI:s webbplats')}</w:hyperlink>", r("."))
        + f"<w:sdt><w:sdtContent>{p(r('Text i en innehållskontroll.'))}</w:sdtContent></w:sdt>"
        + f"<w:tbl><w:tr>{tc(p(r('sammanslagen')), span=2)}</w:tr>"
        + f"<w:tr>{tc(p(r('vänster')), nested)}{tc(p(r('höger')))}</w:tr></w:tbl>"
        + p(r("Sista stycket."), "<w:del><w:r><w:delText>raderad</w:delText></w:r></w:del>")
    )
    result = extract_text("essay.docx", sf.make_docx_from_body_xml(body))
    assert result.text == (
        "Första stycket om sjöar, infogad text, slut.\n\n"
        "Läs mer på SMHI:s webbplats.\n\n"
        "Text i en innehållskontroll.\n\n"
        "sammanslagen\nvänster inre A inre B höger\n\n"
        "Sista stycket."
    )


def test_odt_huge_space_run_is_capped() -> None:
    data = sf.make_odt_with_space_run("Början på en mening om " * 3, 10**12, "och resten.")
    result = extract_text("essay.odt", data)
    assert result.text.endswith("mening om och resten.")
    assert "  " not in result.text


def test_pdf_two_pages() -> None:
    data = sf.make_pdf([sf.SWEDISH_TEXT, sf.ESSAY_PARAGRAPHS[0]])
    result = extract_text("uppsats.pdf", data)
    assert result.kind is FileKind.PDF
    assert result.page_count == 2
    assert "Det här är en uppsats om våra sjöar och älvar" in result.text
    assert "Climate change is one of the defining challenges" in result.text
    assert result.text.index("söderut") < result.text.index("Climate change")
    assert result.encoding is None


def test_odt_heading_and_paragraphs() -> None:
    data = sf.make_odt([*sf.ESSAY_PARAGRAPHS, sf.SWEDISH_TEXT], heading="Klimatet")
    result = extract_text("uppsats.odt", data)
    assert result.kind is FileKind.ODT
    assert result.text.split("\n\n") == ["Klimatet", *sf.ESSAY_PARAGRAPHS, sf.SWEDISH_TEXT]


def test_rtf_with_swedish_and_non_latin_characters() -> None:
    source = sf.SWEDISH_TEXT + "\n\nCitat: «Журнал» och {klammer} och \\ snedstreck."
    result = extract_text("uppsats.rtf", sf.make_rtf(source))
    assert result.kind is FileKind.RTF
    assert sf.SWEDISH_TEXT in result.text
    assert "Citat: «Журнал» och {klammer} och \\ snedstreck." in result.text
    assert "\\par" not in result.text and "fonttbl" not in result.text


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (sf.SWEDISH_TEXT.encode("utf-8"), "utf-8"),
        (sf.SWEDISH_TEXT.encode("utf-8-sig"), "utf-8"),
        (sf.SWEDISH_TEXT.encode("utf-16"), "utf-16-le"),
        (b"\xfe\xff" + sf.SWEDISH_TEXT.encode("utf-16-be"), "utf-16-be"),
        (sf.SWEDISH_TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (sf.SWEDISH_TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16le-no-bom", "cp1252"],
)
def test_swedish_text_in_various_encodings(encoded: bytes, encoding: str) -> None:
    result = extract_text("uppsats.txt", encoded)
    assert result.kind is FileKind.TXT
    assert result.text == sf.SWEDISH_TEXT
    assert result.encoding == encoding


@pytest.mark.parametrize(
    "text",
    [
        "Det här är en uppsats om våra sjöar och älvar. Åsa åt ärtsoppa på torsdag.",
        "Åsa åt ärtsoppa på torsdag. Öland är en ö. Älgen går över ängen i gryningen.",
    ],
)
def test_short_cp1252_swedish_decodes_correctly(text: str) -> None:
    # Short Western text is ambiguous for detectors (cp1250, hp_roman8, ...); å must survive.
    result = extract_text("uppsats.txt", text.encode("cp1252"))
    assert result.text == text


def test_cp1251_cyrillic_is_detected() -> None:
    text = "Привет, это сочинение о наших озёрах и реках. Мы живём у большой реки."  # noqa: RUF001
    result = extract_text("essay.txt", text.encode("cp1251"))
    assert result.text == text


def test_markdown_markup_is_stripped() -> None:
    source = (
        "# Min uppsats #\n\n"
        "Det här är **fet**, *kursiv* och __understruken__ text med en "
        "[länk](https://example.se) och `kod`.\n\n"
        "Setext-rubrik\n=============\n\n"
        "- punkt ett\n* punkt två\n\n"
        "```python\nprint('hej')\n```\n\n"
        "> Ett citat.\n\n---\n\n"
        "![Bild på en sjö](sjo.png) snake_case_name och 2 * 3 * 4 står kvar.\n"
    )
    result = extract_text("uppsats.md", source.encode())
    assert result.kind is FileKind.MARKDOWN
    assert result.text == (
        "Min uppsats\n\n"
        "Det här är fet, kursiv och understruken text med en länk och kod.\n\n"
        "Setext-rubrik\n\n"
        "punkt ett\npunkt två\n\n"
        "print('hej')\n\n"
        "Ett citat.\n\n"
        "Bild på en sjö snake_case_name och 2 * 3 * 4 står kvar."
    )


def test_markdown_syntax_is_kept_for_txt_files() -> None:
    source = "# Not a heading in a .txt file, and **stars** stay as the student typed them."
    assert extract_text("essay.txt", source.encode()).text == source


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb\rc\nd", "a\nb\nc\nd"),
        ("  many    spaces\tand\ttabs  ", "many spaces and tabs"),
        ("nbsp\u00a0thin\u2009narrow\u202fideo\u3000end", "nbsp thin narrow ideo end"),
        ("p1\n\n\n\n\np2\n\np3", "p1\n\np2\n\np3"),
        ("  line one  \n   line two   ", "line one\nline two"),
        ("\ufeffzero\u200bwidth\u200c\u200djoin\u2060er", "zerowidthjoiner"),
        ("bell\x07null\x00esc\x1b del\x7f", "bellnullesc del"),
        ("e\u0301 a\u030a o\u0308", "é å ö"),  # decomposed -> NFC
        ("å ä ö é ü ß Ж ж 日本", "å ä ö é ü ß Ж ж 日本"),
        ("page\x0cbreak\u2028sep", "page\nbreak\nsep"),
        ("  \n\n  \t \n", ""),
        ("soft\u00adhyphen", "softhyphen"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_normalise_text_is_idempotent() -> None:
    once = normalise_text(" A\u00a0 b\r\n\r\n\r\n\u200bc\t ")
    assert once == "A b\n\nc"
    assert normalise_text(once) == once


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Hej på dig!", 3),
        ("Det är Annas bok, don't you think? Well-known fact.", 9),
        ("Sjöar, älvar och åar.", 4),
        ("Привет мир", 2),
        ("It\u2019s — a dash - here", 4),
        ("1999 och 2024", 3),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


# --------------------------------------------------------------------------- fuzzing


def _sample_files() -> dict[str, bytes]:
    return {
        "essay.docx": sf.make_docx(sf.ESSAY_PARAGRAPHS, table_rows=[["a", "b"], ["c", "d"]]),
        "essay.pdf": sf.make_pdf([sf.SWEDISH_TEXT, ESSAY_TEXT]),
        "locked.pdf": sf.make_encrypted_pdf(ESSAY_TEXT),
        "essay.odt": sf.make_odt(sf.ESSAY_PARAGRAPHS, heading="Rubrik"),
        "essay.rtf": sf.make_rtf(sf.SWEDISH_TEXT),
        "essay.txt": sf.SWEDISH_TEXT.encode("utf-16"),
        "essay.md": b"# Title\n\n" + ESSAY_TEXT.encode(),
    }


SAMPLES = _sample_files()


def _outcome(filename: str, data: bytes) -> ExtractedText | FileRejected:
    try:
        return extract_text(filename, data)
    except FileRejected as error:
        assert isinstance(error.code, FileErrorCode)
        return error


@pytest.mark.parametrize("filename", sorted(SAMPLES))
def test_truncated_files_only_ever_raise_file_rejected(filename: str) -> None:
    data = SAMPLES[filename]
    outcomes = [
        _outcome(filename, data[:cut])
        for cut in {0, 1, 4, 16, 100, len(data) // 3, len(data) // 2, len(data) - 25, len(data) - 1}
    ]
    assert any(isinstance(o, FileRejected) for o in outcomes)  # at least the empty cut
    for outcome in outcomes:
        if isinstance(outcome, ExtractedText):
            assert outcome.char_count >= LIMITS.min_text_chars
            assert outcome.text == normalise_text(outcome.text)


@pytest.mark.parametrize("filename", sorted(SAMPLES))
def test_mutated_files_only_ever_raise_file_rejected(filename: str) -> None:
    rng = random.Random(filename)
    original = SAMPLES[filename]
    for _ in range(15):
        data = bytearray(original)
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        outcome = _outcome(filename, bytes(data))
        if isinstance(outcome, ExtractedText):
            assert outcome.char_count == len(outcome.text)


@pytest.mark.parametrize("filename", ["essay.docx", "essay.pdf", "essay.odt", "essay.rtf", "x.txt"])
def test_random_bytes_only_ever_raise_or_decode_as_text(filename: str) -> None:
    rng = random.Random(f"random-{filename}")
    prefixes = [b"", b"PK\x03\x04", b"%PDF-1.7\n", b"{\\rtf1 ", b"\xff\xfe", b"\xef\xbb\xbf"]
    for prefix in prefixes:
        for size in (3, 60, 700, 5000):
            outcome = _outcome(filename, prefix + rng.randbytes(size))
            if isinstance(outcome, ExtractedText):
                assert outcome.kind in {FileKind.TXT, FileKind.MARKDOWN}
