import pytest

from services.cj_assessment.method.grading import boundaries, project_grades

SCORES = {f"e{k}": -3.0 + 0.5 * k for k in range(13)}  # -3.0 .. 3.0
SES = dict.fromkeys(SCORES, 0.4)
ANCHORS = {"e1": "E", "e2": "E", "e6": "C", "e11": "A", "e12": "A"}


def test_no_anchors_no_grades() -> None:
    assert project_grades(SCORES, SES, None) == {}
    assert project_grades(SCORES, SES, {}) == {}


def test_grades_rise_with_the_score_and_probabilities_sum_to_one() -> None:
    projections = project_grades(SCORES, SES, ANCHORS, ["E", "D", "C", "B", "A"])
    order = ["E", "D", "C", "B", "A"]
    essays = sorted((e for e in SCORES if e not in ANCHORS), key=SCORES.__getitem__)
    levels = [order.index(projections[e].grade) for e in essays]
    assert levels == sorted(levels)
    # Positions: E -2.25, D -1.125 (interpolated), C 0, B 1.375 (interpolated), A 2.75,
    # so the cut between B and A is at 2.0625 and e10 (2.0) is a B.
    assert levels[0] == 0 and levels[-1] == 3 and projections["e10"].grade == "B"
    assert projections["e7"].grade == "C" and projections["e8"].grade == "B"
    for essay in essays:
        probabilities = projections[essay].probabilities
        assert set(probabilities) == set(order)
        assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert max(probabilities, key=probabilities.__getitem__) == projections[essay].grade


def test_anchors_keep_their_grade() -> None:
    projections = project_grades(SCORES, SES, ANCHORS, ["E", "D", "C", "B", "A"])
    assert projections["e6"].grade == "C" and projections["e6"].probabilities == {"C": 1.0}


def test_boundaries_are_monotonic_even_when_anchors_disagree() -> None:
    # The "B" anchor sits below the "C" anchor: pooling makes the positions non-decreasing.
    scores = {"lowC": 1.0, "highB": 0.0, "E": -3.0, "A": 3.0}
    anchors = {"lowC": "C", "highB": "B", "E": "E", "A": "A"}
    cuts = boundaries(anchors, scores, ["E", "D", "C", "B", "A"])
    assert cuts is not None and cuts == sorted(cuts)


def test_missing_grades_are_interpolated_between_anchored_ones() -> None:
    cuts = boundaries({"x": "E", "y": "A"}, {"x": -2.0, "y": 2.0}, ["E", "D", "C", "B", "A"])
    assert cuts == pytest.approx([-1.5, -0.5, 0.5, 1.5])


def test_without_a_scale_grades_are_ordered_by_their_anchors() -> None:
    projections = project_grades(SCORES, SES, {"e0": "fail", "e12": "pass"})
    assert projections["e1"].grade == "fail" and projections["e11"].grade == "pass"


def test_a_single_anchored_grade_cannot_place_the_others() -> None:
    assert project_grades(SCORES, SES, {"e3": "C"}, ["E", "C", "A"]) == {}


def test_anchor_grade_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValueError):
        project_grades(SCORES, SES, {"e3": "Z", "e4": "A"}, ["E", "A"])
