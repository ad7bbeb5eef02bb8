"""Key-point matching: forgiving of how people type, strict about what they said."""

from __future__ import annotations

from dlquiz.matching import coverage
from dlquiz.model import KeyPoint
from dlquiz.scheduler import Rating

POINTS = (
    KeyPoint("downsamples each feature map", ("reduces spatial size",)),
    KeyPoint("max or average"),
    KeyPoint("no learned weights", ("no parameters",)),
)


def covered(typed: str) -> list[bool]:
    return [p.covered for p in coverage(typed, POINTS).points]


def test_case_punctuation_and_word_order_do_not_matter() -> None:
    assert covered("Feature-map: EACH ONE it DOWNSAMPLES!") == [True, False, False]


def test_plurals_and_small_typos_are_forgiven() -> None:
    assert covered("it downsampels each feature maps, using the maximum or averages") == [
        True,
        False,
        False,
    ]
    assert covered("downsample each featur map; max or average; no learnd weight") == [
        True,
        True,
        True,
    ]


def test_alternatives_count_and_are_reported() -> None:
    result = coverage("it reduces the spatial size and has no parameters", POINTS)
    assert [p.covered for p in result.points] == [True, False, True]
    assert result.points[0].matched == "reduces spatial size"


def test_a_missing_word_is_not_covered() -> None:
    assert covered("it downsamples") == [False, False, False]
    assert covered("weights are learned") == [False, False, False]


def test_suggested_rating_follows_coverage() -> None:
    assert (
        coverage("downsamples each feature map, max or average, no parameters", POINTS).suggested
        == Rating.Good
    )
    assert coverage("reduces spatial size with max or average", POINTS).suggested == Rating.Hard
    assert coverage("no idea", POINTS).suggested == Rating.Again


def test_split_and_joined_compounds_match() -> None:
    points = (KeyPoint("mini-batch gradient descent"),)
    assert coverage("minibatch gradient descent", points).points[0].covered
    assert coverage("mini batch gradient descent", points).points[0].covered
    joined = (KeyPoint("minibatch"),)
    assert coverage("a mini batch", joined).points[0].covered


def test_the_usual_abbreviations_count_both_ways() -> None:
    points = (
        KeyPoint("subset of machine learning"),
        KeyPoint("CNNs share weights"),
        KeyPoint("stochastic gradient descent"),
    )

    def said(typed: str) -> list[bool]:
        return [p.covered for p in coverage(typed, points).points]

    assert said("a subset of ML") == [True, False, False]
    assert said("convolutional neural networks share their weights") == [False, True, False]
    assert said("trained with SGD") == [False, False, True]
    deep = (KeyPoint("neural networks with many layers"),)
    assert coverage("NNs with many layers", deep).points[0].covered
    # an abbreviation says its own words only: "ML" is not "deep learning"
    assert not coverage("ML", (KeyPoint("deep learning"),)).points[0].covered


def test_word_forms_meet() -> None:
    sharing = (KeyPoint("weight sharing"), KeyPoint("stops early"))
    result = coverage("the weights are shared; training is stopped early", sharing)
    assert [p.covered for p in result.points] == [True, True]
    assert not coverage("weights are used", sharing).points[0].covered
