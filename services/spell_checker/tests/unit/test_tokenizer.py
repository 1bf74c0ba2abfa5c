from services.spell_checker.spelling.tokenizer import (
    Shape,
    apply_shape,
    shape_of,
    word_parts,
    words,
)


def texts(text: str) -> list[str]:
    return [w.text for w in words(text)]


def test_letters_of_every_alphabet_are_words() -> None:
    assert texts("Smörgåsbord, äpple och café über naïve Ελλάδα") == [
        "Smörgåsbord",
        "äpple",
        "och",
        "café",
        "über",
        "naïve",
        "Ελλάδα",
    ]


def test_apostrophes_and_hyphens_inside_words_stay_in_the_word() -> None:
    assert texts("I don't like the barn's e-post, a well-known fact.") == [
        "I",
        "don't",
        "like",
        "the",
        "barn's",
        "e-post",
        "a",
        "well-known",
        "fact",
    ]
    # Quotes and dashes around words are not part of them.
    assert texts("'quoted' - dash -- end-") == ["quoted", "dash", "end"]
    assert texts("it’s typographic") == ["it’s", "typographic"]


def test_numbers_urls_and_emails_are_not_words() -> None:
    text = (
        "In 2024 we paid 3,50 kr for mp3 files, the 3rd time; see https://example.com/a?b=c, "
        "www.skolverket.se and skola.se, or mail anna.berg@skola.se today"
    )
    assert texts(text) == [
        "In", "we", "paid", "kr", "for", "files", "the", "time", "see", "and", "or", "mail",
        "today",
    ]  # fmt: skip


def test_offsets_are_code_points_that_slice_back_to_the_word() -> None:
    # Emoji outside the BMP (two UTF-16 units, four UTF-8 bytes) come before the words.
    text = "😀🎉 Hej på dig 👍🏽! Naïve café—𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e-post"
    found = words(text)
    assert [text[w.start : w.end] for w in found] == [w.text for w in found]
    assert found[0].start == 3  # two emoji and a space: three code points
    assert [w.text for w in found][-1] == "e-post"


def test_sentence_starts() -> None:
    found = words('Anna came. "Then Bob left!" (Carl) stayed? Yes\n\nDavid; and Erik\n- Fia')
    starts = {w.text: w.sentence_start for w in found}
    assert starts == {
        "Anna": True,
        "came": False,
        "Then": True,
        "Bob": False,
        "left": False,
        "Carl": True,
        "stayed": False,
        "Yes": True,
        "David": True,
        "and": False,
        "Erik": False,
        "Fia": True,
    }


def test_a_number_first_does_not_open_a_sentence_for_the_next_word() -> None:
    found = words("2 Cats")
    assert found[0].text == "Cats" and not found[0].sentence_start


def test_shapes_and_applying_them() -> None:
    assert [shape_of(w) for w in ("teh", "Teh", "TEH", "iPhone", "I")] == [
        Shape.LOWER,
        Shape.CAPITALISED,
        Shape.UPPER,
        Shape.MIXED,
        Shape.CAPITALISED,
    ]
    assert apply_shape(Shape.CAPITALISED, "the") == "The"
    assert apply_shape(Shape.UPPER, "the") == "THE"
    assert apply_shape(Shape.LOWER, "the") == "the"
    assert apply_shape(Shape.UPPER, "större") == "STÖRRE"


def test_hyphenated_word_parts_keep_their_offsets() -> None:
    text = "a well-knwon fact"
    (word,) = [w for w in words(text) if "-" in w.text]
    parts = word_parts(word)
    assert [p.text for p in parts] == ["well", "knwon"]
    assert [text[p.start : p.end] for p in parts] == ["well", "knwon"]
