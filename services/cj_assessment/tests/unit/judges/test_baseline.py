from services.cj_assessment.judges.baseline import features, judge_baseline

DEVELOPED = (
    "Comparative judgement asks a reader which of two essays is better. Repeated many "
    "times, these decisions produce a reliable scale. Teachers find the decisions quick, "
    "because comparing is easier than scoring against a rubric. The method also exposes "
    "disagreement between judges, which a single marker would hide."
)
SLOPPY = "i think its good becuase alot of peple like it and it is good and i like it alot"


def test_the_same_texts_always_get_the_same_answer() -> None:
    answers = {judge_baseline(DEVELOPED, SLOPPY) for _ in range(5)}
    assert len(answers) == 1


def test_prefers_the_developed_essay_in_either_position() -> None:
    winner, confidence = judge_baseline(DEVELOPED, SLOPPY)
    assert winner == "a" and 0.5 < confidence <= 1.0
    winner, swapped_confidence = judge_baseline(SLOPPY, DEVELOPED)
    assert winner == "b" and swapped_confidence == confidence


def test_identical_texts_are_a_coin_flip_resolved_to_a() -> None:
    assert judge_baseline(DEVELOPED, DEVELOPED) == ("a", 0.5)


def test_features_see_spelling_sentence_length_and_vocabulary() -> None:
    sloppy = features(SLOPPY)
    developed = features(DEVELOPED)
    assert sloppy.misspelt_share > developed.misspelt_share
    assert sloppy.mean_sentence_words > 17  # one run-on sentence
    assert developed.guiraud > sloppy.guiraud
    assert features("").words == 0 and features("").score < sloppy.score
