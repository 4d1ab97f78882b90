"""The evaluation ("Auswertung") of a Selbstcheck, as on the paper form. Pure functions.

Points per statement are the scale values (5 … 1); a category's subtotal is the sum
of its statements; the total (8–40 for the 2025 version) is placed on the colour
scale by the cut points; the colour's advice text comes from the questionnaire
version. The weakest categories are those with the lowest average points per
statement (all of them when tied).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from portal.domain import DomainError


@dataclass(frozen=True)
class Band:
    color: str
    label: str
    min: int
    max: int
    advice: str = ""


@dataclass(frozen=True)
class CategoryResult:
    code: str
    name: str
    questions: tuple[int, ...]
    points: int
    max_points: int

    @property
    def average(self) -> Fraction:
        return Fraction(self.points, len(self.questions))


@dataclass(frozen=True)
class Evaluation:
    points: dict[int, int]
    categories: tuple[CategoryResult, ...]
    total: int
    lowest: int
    highest: int
    band: Band
    weakest: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """What a submitted version stores (JSON-safe): the band is a copy of the cut points used."""
        return {
            "points": {str(n): p for n, p in self.points.items()},
            "categories": [
                {"code": c.code, "name": c.name, "questions": list(c.questions), "points": c.points, "max_points": c.max_points}
                for c in self.categories
            ],
            "total": self.total,
            "lowest": self.lowest,
            "highest": self.highest,
            "band": asdict(self.band),
            "weakest": list(self.weakest),
        }


class ScoringError(DomainError):
    pass


def scale_values(definition: dict[str, Any]) -> list[int]:
    return [int(s["value"]) for s in definition["scale"]]


def total_range(definition: dict[str, Any]) -> tuple[int, int]:
    values = scale_values(definition)
    n = len(definition["questions"])
    return n * min(values), n * max(values)


def default_bands(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The cut points as shipped with the version (without the advice texts)."""
    return [{"color": b["color"], "label": b["label"], "min": int(b["min"]), "max": int(b["max"])}
            for b in definition["evaluation"]["bands"]]


def check_bands(bands: list[dict[str, Any]], lowest: int, highest: int) -> list[str]:
    """German messages for cut points that do not cover lowest…highest without gaps or overlaps."""
    errors: list[str] = []
    if not bands:
        return ["Es ist keine Farbe festgelegt."]
    if bands[0]["min"] != lowest:
        errors.append(f"{bands[0]['label']} muss bei {lowest} Punkten beginnen.")
    if bands[-1]["max"] != highest:
        errors.append(f"{bands[-1]['label']} muss bei {highest} Punkten enden.")
    for band in bands:
        if band["min"] > band["max"]:
            errors.append(f"{band['label']}: Die untere Grenze ({band['min']}) liegt über der oberen ({band['max']}).")
    for prev, nxt in zip(bands, bands[1:]):
        if nxt["min"] != prev["max"] + 1:
            errors.append(f"{nxt['label']} muss direkt nach {prev['label']} beginnen (bei {prev['max'] + 1} Punkten).")
    return errors


def bands_from_upper_bounds(bands: list[dict[str, Any]], uppers: list[int], highest: int) -> list[dict[str, Any]]:
    """New cut points from the upper bound of every band but the last."""
    result = []
    low = bands[0]["min"]
    for band, upper in zip(bands, [*uppers, highest]):
        result.append({"color": band["color"], "label": band["label"], "min": low, "max": upper})
        low = upper + 1
    return result


def band_for(total: int, bands: list[dict[str, Any]], definition: dict[str, Any]) -> Band:
    advice = {b["color"]: b.get("advice", "") for b in definition["evaluation"]["bands"]}
    for b in bands:
        if b["min"] <= total <= b["max"]:
            return Band(b["color"], b["label"], int(b["min"]), int(b["max"]), advice.get(b["color"], ""))
    raise ScoringError(f"Die Punktzahl {total} liegt auf keiner Farbe der Skala.")


def evaluate(definition: dict[str, Any], points: dict[int, int], bands: list[dict[str, Any]]) -> Evaluation:
    """Evaluate complete answers (question number → scale value) against cut points."""
    values = set(scale_values(definition))
    numbers = [int(q["number"]) for q in definition["questions"]]
    missing = [n for n in numbers if n not in points]
    if missing:
        raise ScoringError("Nicht beantwortet: " + ", ".join(map(str, missing)))
    bad = [n for n in numbers if points[n] not in values]
    if bad:
        raise ScoringError("Ungültiger Wert bei: " + ", ".join(map(str, bad)))
    top = max(values)
    categories = tuple(
        CategoryResult(
            code=c["code"],
            name=c["name"],
            questions=tuple(int(n) for n in c["questions"]),
            points=sum(points[int(n)] for n in c["questions"]),
            max_points=top * len(c["questions"]),
        )
        for c in definition["categories"]
    )
    total = sum(points[n] for n in numbers)
    lowest, highest = total_range(definition)
    return Evaluation(
        points={n: points[n] for n in numbers},
        categories=categories,
        total=total,
        lowest=lowest,
        highest=highest,
        band=band_for(total, bands, definition),
        weakest=weakest_categories(categories, top),
    )


def weakest_categories(categories: tuple[CategoryResult, ...], top: int) -> tuple[str, ...]:
    """Names of the categories with the lowest average per statement (ties: all of them).

    Empty when every category reached the highest points."""
    if not categories:
        return ()
    low = min(c.average for c in categories)
    if low >= top:
        return ()
    return tuple(c.name for c in categories if c.average == low)
