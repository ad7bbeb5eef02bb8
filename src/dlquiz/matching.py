"""Which key points a typed answer covers, and the rating that coverage suggests.

Matching is deliberately forgiving, since people type fast and say things their own way: case,
punctuation, word order, plurals and word forms (shared, sharing), small typos and the field's
usual abbreviations (ML, CNN, SGD) do not matter, and each key point may be said in any of its
listed phrasings. A phrasing is covered when each of its significant words appears.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

from fsrs import Rating

from dlquiz.model import KeyPoint

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "with",
    ]
)
_WORD = re.compile(r"\w+")
# What people type for terms a bank spells out, and the reverse: "ML" says "machine learning",
# and "convolutional neural networks" says "CNN".
ABBREVIATIONS = {
    "ml": "machine learning",
    "dl": "deep learning",
    "nn": "neural network",
    "ann": "artificial neural network",
    "dnn": "deep neural network",
    "cnn": "convolutional neural network",
    "convnet": "convolutional network",
    "rnn": "recurrent neural network",
    "lstm": "long short term memory",
    "gru": "gated recurrent unit",
    "mlp": "multilayer perceptron",
    "gan": "generative adversarial network",
    "ae": "autoencoder",
    "vae": "variational autoencoder",
    "rbm": "restricted boltzmann machine",
    "gd": "gradient descent",
    "sgd": "stochastic gradient descent",
    "lr": "learning rate",
    "backprop": "backpropagation",
    "relu": "rectified linear unit",
    "mse": "mean squared error",
    "pca": "principal component analysis",
    "svm": "support vector machine",
    "knn": "k nearest neighbor",
    "bn": "batch normalization",
    "fft": "fast fourier transform",
}
TYPO_RATIO = 0.8  # difflib similarity at which two words of 5+ letters count as the same


@dataclass(frozen=True)
class PointResult:
    """Whether one key point was covered, and by which phrasing."""

    key_point: KeyPoint
    covered: bool
    matched: str | None = None


@dataclass(frozen=True)
class Coverage:
    points: tuple[PointResult, ...]

    @property
    def covered(self) -> int:
        return sum(1 for p in self.points if p.covered)

    @property
    def fraction(self) -> float:
        return self.covered / len(self.points) if self.points else 1.0

    @property
    def suggested(self) -> Rating:
        """Good when everything was covered, Hard for at least half, else Again."""
        if self.fraction >= 1.0:
            return Rating.Good
        if self.fraction >= 0.5:
            return Rating.Hard
        return Rating.Again


def _stem(word: str) -> str:
    """A light stemmer, applied alike to answers and key points: plurals and the usual verb
    endings fall away, so that "shared", "shares" and "sharing" all meet as "shar"."""
    if len(word) > 4 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            word = word[: -len(ending)]
            if word[-1] == word[-2] and word[-1] not in "aeiouls":  # stopped, padding
                word = word[:-1]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lowercase, accent-free, stemmed words of `text`, stop words included."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [_stem(w) for w in _WORD.findall(plain.replace("_", " "))]


def significant(text: str) -> list[str]:
    """The words of `text` that must appear for it to count as said."""
    all_words = words(text)
    kept = [w for w in all_words if w not in STOP_WORDS and len(w) > 1]
    return kept or all_words


@functools.cache
def _expansions() -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((short, frozenset(words(full))) for short, full in ABBREVIATIONS.items())


class Answer:
    """A typed answer, indexed once so that many phrasings can be checked against it."""

    def __init__(self, text: str) -> None:
        tokens = words(text)
        self.vocabulary = set(tokens)
        # "mini batch" typed for "minibatch", and the reverse: index adjacent pairs joined
        self.vocabulary.update(_stem(a + b) for a, b in pairwise(tokens))
        for short, full in _expansions():
            if short in self.vocabulary or short + "s" in self.vocabulary:  # "NNs", "AEs"
                self.vocabulary.update(full)
        for short, full in _expansions():
            if all(w in self.vocabulary for w in full):
                self.vocabulary.add(short)
        self._typo_candidates = [w for w in self.vocabulary if len(w) >= 3 and w.isalpha()]

    def has_word(self, word: str) -> bool:
        if word in self.vocabulary:
            return True
        if len(word) < 5 or not word.isalpha():
            return False
        matcher = SequenceMatcher(b=word, autojunk=False)
        for candidate in self._typo_candidates:
            if abs(len(candidate) - len(word)) > 2:
                continue
            matcher.set_seq1(candidate)
            if matcher.quick_ratio() >= TYPO_RATIO and matcher.ratio() >= TYPO_RATIO:
                return True
        return False

    def says(self, phrase: str) -> bool:
        needed = significant(phrase)
        if not needed:
            return False
        i = 0
        while i < len(needed):
            if i + 1 < len(needed) and _stem(needed[i] + needed[i + 1]) in self.vocabulary:
                i += 2
            elif self.has_word(needed[i]):
                i += 1
            else:
                return False
        return True


def coverage(typed: str, key_points: tuple[KeyPoint, ...]) -> Coverage:
    """Match a typed answer against each key point and its alternatives."""
    answer = Answer(typed)
    results: list[PointResult] = []
    for kp in key_points:
        matched = next((p for p in kp.phrasings if answer.says(p)), None)
        results.append(PointResult(kp, matched is not None, matched))
    return Coverage(tuple(results))
