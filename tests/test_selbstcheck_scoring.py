"""The evaluation of the paper form, as pure functions: points, subtotals, total, colour."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.selbstcheck import scoring

DEFINITION = json.loads((Path(__file__).resolve().parents[1] / "portal/data/questionnaires/selbstcheck-2025.json").read_text("utf-8"))
BANDS = scoring.default_bands(DEFINITION)


def answers(*values: int) -> dict[int, int]:
    assert len(values) == 8
    return dict(zip(range(1, 9), values))


@pytest.mark.parametrize(
    ("values", "subtotals", "total", "color", "advice_start"),
    [
        ((1, 1, 1, 1, 1, 1, 1, 1), (3, 2, 3), 8, "rot", "Rot weist auf große Herausforderungen"),
        ((3, 3, 3, 2, 3, 2, 2, 2), (9, 5, 6), 20, "rot", "Rot weist auf große Herausforderungen"),
        ((3, 3, 3, 3, 3, 2, 2, 2), (9, 6, 6), 21, "gelb", "Gelb weist auf deutliche Einschränkungen"),
        ((4, 4, 4, 4, 4, 4, 3, 3), (12, 8, 10), 30, "gelb", "Gelb weist auf deutliche Einschränkungen"),
        ((4, 4, 4, 4, 4, 4, 4, 3), (12, 8, 11), 31, "gruen", "Grün zeigt geringe bis keine Herausforderungen"),
        ((5, 5, 5, 5, 5, 5, 5, 5), (15, 10, 15), 40, "gruen", "Grün zeigt geringe bis keine Herausforderungen"),
    ],
)
def test_points_subtotals_total_colour_and_advice(values, subtotals, total, color, advice_start):
    result = scoring.evaluate(DEFINITION, answers(*values), BANDS)
    assert [c.points for c in result.categories] == list(subtotals)
    assert [c.max_points for c in result.categories] == [15, 10, 15]
    assert result.total == total
    assert result.band.color == color
    assert result.band.advice.startswith(advice_start)
    assert (result.lowest, result.highest) == (8, 40)


def test_weakest_category_is_the_lowest_average_per_statement():
    # Sprache 3+3+3 = 9 (avg 3), Organisation 2+2 = 4 (avg 2), Sensibilität 2+2+2 = 6 (avg 2): a tie
    result = scoring.evaluate(DEFINITION, answers(3, 3, 3, 2, 2, 2, 2, 2), BANDS)
    assert result.weakest == ("Organisation/Behörde", "Interkulturelle Sensibilität/Menschenbilder")
    # a higher sum is not a better average: Sprache 12 (avg 4) vs Organisation 9 (avg 4.5)
    result = scoring.evaluate(DEFINITION, answers(4, 4, 4, 5, 4, 5, 5, 5), BANDS)
    assert result.weakest == ("Sprache/Kommunikation",)


def test_no_weakest_category_when_everything_is_top():
    assert scoring.evaluate(DEFINITION, answers(*[5] * 8), BANDS).weakest == ()


def test_result_stores_a_copy_of_the_cut_points_used():
    shifted = scoring.bands_from_upper_bounds(BANDS, [25, 35], 40)
    stored = scoring.evaluate(DEFINITION, answers(4, 4, 4, 4, 4, 4, 3, 3), shifted).as_dict()
    assert stored["total"] == 30
    assert stored["band"]["color"] == "gelb" and (stored["band"]["min"], stored["band"]["max"]) == (26, 35)
    assert stored["points"] == {"1": 4, "2": 4, "3": 4, "4": 4, "5": 4, "6": 4, "7": 3, "8": 3}
    assert [c["points"] for c in stored["categories"]] == [12, 8, 10]


def test_incomplete_or_invalid_answers_are_refused():
    with pytest.raises(scoring.ScoringError, match="Nicht beantwortet: 8"):
        scoring.evaluate(DEFINITION, {n: 3 for n in range(1, 8)}, BANDS)
    with pytest.raises(scoring.ScoringError, match="Ungültiger Wert bei: 1"):
        scoring.evaluate(DEFINITION, {**answers(*[3] * 8), 1: 6}, BANDS)


def test_cut_points_must_cover_the_range_without_gaps():
    assert scoring.check_bands(BANDS, 8, 40) == []
    assert scoring.check_bands(scoring.bands_from_upper_bounds(BANDS, [30, 25], 40), 8, 40) == [
        "Gelb: Die untere Grenze (31) liegt über der oberen (25).",
    ]
    gap = [dict(BANDS[0]), {**BANDS[1], "min": 22}, dict(BANDS[2])]
    assert scoring.check_bands(gap, 8, 40) == ["Gelb muss direkt nach Rot beginnen (bei 21 Punkten)."]


@given(st.lists(st.integers(1, 5), min_size=8, max_size=8))
def test_total_is_the_sum_and_lands_on_exactly_one_colour(values):
    result = scoring.evaluate(DEFINITION, answers(*values), BANDS)
    assert result.total == sum(values) == sum(c.points for c in result.categories)
    assert result.band.min <= result.total <= result.band.max
