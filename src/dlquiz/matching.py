"""Which key points a typed answer covers, and the rating that coverage suggests (or none).

A key point is a claim, so a phrasing of it counts only when the answer makes that claim:

- its content words appear (in any word form, through a stemmer; through a synonym table for the
  words key points use; through the field's abbreviations, both ways; with small typos that
  never turn a word into its opposite: labeled is not unlabeled); function words are never
  required, and `X or Y` in a phrasing means either;
- close together, in one sentence of the answer, so that a claim made of something else does
  not count; when the question names several subjects (bagging and boosting), each claim word
  must be said of the phrasing's own subject, not of the other one;
- with the same polarity: a phrasing that says "no labels" needs a negation in the answer, and
  one that says "labels" is not covered by "it does not use labels" (not, no, never, without,
  n't, instead of, rather than, fails to, ...);
- and not only with words the question itself contains: repeating the question earns nothing.

Each key point may also list `contradicts` phrasings, the known wrong claims about it; one of
them said in the answer marks the point contradicted. When the evidence is weak (a point nearly
said could change the rating) or conflicting (a wrong claim beside right ones), no rating is
suggested: the learner rates it. The rule for a decided suggestion is the app's: every point
covered, Good; at least half, Hard; else Again.

The module is pure: no clock, no store, no terminal.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import product
from typing import Any, NamedTuple

from fsrs import Rating

from dlquiz.model import KeyPoint, Question
from dlquiz.vocabulary import (
    ABBREVIATIONS,
    CLAUSE_WORDS,
    FILLER_WORDS,
    MODIFIERS,
    NEGATOR_PAIRS,
    NEGATORS,
    NOTATION,
    PRONOUNS,
    RELATIVES,
    SCOPE_ENDS,
    SHORT_NEGATORS,
    STOP_WORDS,
    SYNONYMS,
)

# Characters that end a sentence or a clause.
_SENTENCE_END = re.compile(r"[.;!?]+(?=\s|$)|[;!?]|\n")
_CLAUSE_END = re.compile(r"[,:()\[\]|]|\s[-–—]+\s")
# A line break inside a paragraph is a space; a blank line, a list item or a table row is not.
_SOFT_BREAK = re.compile(r"\n(?!\s*\n|\s*(?:[-*+|]|\d+[.)])\s)")

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NEGATIVE_PREFIXES = ("un", "in", "non", "dis", "im", "ir", "il", "de", "anti", "counter")
TYPO_RATIO = 0.8  # similarity at which two words of 5+ letters count as the same
SPAN_PER_WORD = 3  # a claim may spread over this many words per required word,
SPAN_SLACK = 4  # and this many more


@functools.cache
def _stemmer() -> Any:
    import snowballstemmer  # here: `dlquiz stats` and other commands never need it

    return snowballstemmer.stemmer("english")


@functools.cache
def stem(word: str) -> str:
    """The stem of one lowercase word: shared, shares and sharing all meet."""
    if not word.isalpha() or len(word) <= 2:
        return word
    result: str = _stemmer().stemWord(word)
    return result


@functools.cache
def _synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in SYNONYMS:
        members = group.split()
        head = stem(members[0])
        for member in members:
            table.setdefault(stem(member.replace("-", "")), head)
    return table


def canon(word: str) -> str:
    """The id a word is matched by: its stem, through the synonym table."""
    if word.endswith("s") and word[:-1] in ABBREVIATIONS:  # CNNs, GANs, NNs
        word = word[:-1]
    s = stem(word)
    return _synonyms().get(s, s)


def _normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _SOFT_BREAK.sub(" ", plain.replace("_", " ").replace("’", "'"))
    for pattern, replacement in NOTATION:
        plain = pattern.sub(replacement, plain)
    return plain


class Token(NamedTuple):
    """One word of a text: what it was, the ids it matches, where it stands."""

    surface: str
    ids: frozenset[str]
    own: str  # the id of the word itself, not of what it abbreviates
    sentence: int
    clause: int
    negated: bool
    stop: bool
    negator: str = ""  # the word that negates it ("not", "instead of"), shown as evidence
    conjunct: int = 0  # the part of its clause between two "and"s: a wrong claim stays in one
    claim: int = 0  # its clause, with a relative clause ("X, which ...") joined to the one before


@functools.cache
def _abbreviation_ids() -> tuple[dict[str, frozenset[str]], list[tuple[tuple[str, ...], str]]]:
    """short -> ids it says; and (full words as ids, short), longest first."""
    fulls = {short: tuple(canon(w) for w in full.split()) for short, full in ABBREVIATIONS.items()}
    says: dict[str, frozenset[str]] = {}
    for short, full in fulls.items():
        ids = set(full)
        for other, other_full in fulls.items():
            n = len(other_full)
            if other != short and any(
                full[i : i + n] == other_full for i in range(len(full) - n + 1)
            ):
                ids.add(other)
        says[canon(short)] = frozenset(ids)
    reverse = sorted(((full, canon(s)) for s, full in fulls.items()), key=lambda x: -len(x[0]))
    return says, reverse


@functools.cache
def _expansions() -> dict[str, frozenset[str]]:
    """short -> the ids of the words of its term ("dl" -> deep, learn)."""
    return {
        canon(short): frozenset(canon(w) for w in full.split())
        for short, full in ABBREVIATIONS.items()
    }


@functools.cache
def _abbreviations_by_first_word() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for full, short in _abbreviation_ids()[1]:
        index.setdefault(full[0], []).append((full, short))
    return index


def tokenize(text: str) -> list[Token]:
    """The words of `text` with their ids, sentence and clause numbers and negation."""
    plain = _normalize(text)
    raw: list[tuple[str, int, int]] = []  # word, sentence, clause
    conjuncts: list[int] = []
    claims: list[int] = []
    sentence = clause = conjunct = claim = 0
    for s_index, sentence_text in enumerate(_SENTENCE_END.split(plain)):
        if s_index:
            sentence += 1
            clause += 1
            claim += 1
        for c_index, clause_text in enumerate(_CLAUSE_END.split(sentence_text)):
            opening = _WORD.match(clause_text.strip())
            if c_index:
                clause += 1
                # "denoising, which adds noise": the relative clause says it of "denoising"
                if not (opening and opening.group() in RELATIVES):
                    claim += 1
            for match in _WORD.finditer(clause_text):
                word = match.group()
                if word in CLAUSE_WORDS:
                    clause += 1
                    claim += 1
                if word in CLAUSE_WORDS or word == "and" or not claims or claims[-1] != claim:
                    conjunct += 1
                raw.append((word, sentence, clause))
                conjuncts.append(conjunct)
                claims.append(claim)
    says = _abbreviation_ids()[0]
    tokens: list[Token] = []
    negated_clause: int | None = None
    short_scope: int | None = None
    negator = ""
    i = 0
    while i < len(raw):
        word, sentence, clause = raw[i]
        if negated_clause is not None and (
            clause != negated_clause or (short_scope is not None and short_scope <= 0)
        ):
            negated_clause = None
            short_scope = None
        nxt = raw[i + 1][0] if i + 1 < len(raw) else ""
        if word in SCOPE_ENDS:  # "no weights and gives some invariance": the and ends it
            negated_clause = None
            short_scope = None
        if word in NEGATORS or (word, nxt) in NEGATOR_PAIRS:
            negated_clause = clause
            negator = f"{word} {nxt}" if (word, nxt) in NEGATOR_PAIRS else word
            # "unlike ReLU it is smooth": only the thing compared is negated
            short_scope = 1 if word in SHORT_NEGATORS else None
            if word == "without" and nxt in PRONOUNS:  # "without it, layers collapse": a condition
                short_scope = 0
            if (word, nxt) in NEGATOR_PAIRS:
                i += 1
            i += 1
            continue
        parts = word.split("-")
        ids: set[str] = set()
        joined = "".join(parts)
        ids.add(canon(joined))
        if (
            len(parts) > 1
            and all(len(p) > 1 and p.isalpha() for p in parts)
            and parts[0] not in _NEGATIVE_PREFIXES  # non-monotonic does not say monotonic
        ):
            ids.update(canon(p) for p in parts)  # hand-engineered: hand, engineered too
        elif re.fullmatch(r"[a-z]+[0-9]+|[0-9]+[a-z]+", joined):
            ids.update(canon(p) for p in re.findall(r"[a-z]+|[0-9]+", joined))
        for short in list(ids):
            ids.update(says.get(short, ()))
        stop = word in STOP_WORDS
        if short_scope is not None and not stop:
            short_scope -= 1
        tokens.append(
            Token(
                word,
                frozenset(ids),
                canon(joined),
                sentence,
                clause,
                negated_clause is not None,
                stop,
                negator if negated_clause is not None else "",
                conjuncts[i],
                claims[i],
            )
        )
        i += 1
    # "mini batch" typed for "minibatch"; "convolutional neural network" says "cnn"
    extra: list[set[str]] = [set() for _ in tokens]
    for k in range(len(tokens) - 1):
        a, b = tokens[k], tokens[k + 1]
        if not a.stop and not b.stop and a.sentence == b.sentence:
            # the stems joined: the stemmer works on the ending, so this is the compound's
            # stem without stemming every pair of words anew (the cost of a first answer)
            joined = stem(a.surface.replace("-", "")) + stem(b.surface.replace("-", ""))
            extra[k].add(_synonyms().get(joined, joined))
    content = [k for k, t in enumerate(tokens) if not t.stop]
    by_first = _abbreviations_by_first_word()
    for j, k0 in enumerate(content):
        for first in tokens[k0].ids & by_first.keys():
            for full, short in by_first[first]:
                window = content[j : j + len(full)]
                if len(window) == len(full) and all(
                    full[m] in tokens[window[m]].ids for m in range(1, len(full))
                ):
                    for k in window:
                        extra[k].add(short)
                        extra[k].update(says.get(short, ()))
    return [
        t._replace(ids=t.ids | frozenset(e)) if e else t for t, e in zip(tokens, extra, strict=True)
    ]


# --- phrasings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One required word of a phrasing: any of `ids` (several for `X or Y`), as first typed."""

    ids: frozenset[str]
    words: tuple[str, ...]
    in_question: bool


@dataclass(frozen=True)
class Phrasing:
    """A phrasing compiled for one question: its required words and its polarity."""

    text: str
    slots: tuple[Slot, ...]
    negative: bool
    subjects: frozenset[str]  # ids of the question's subjects this phrasing opens with
    rivals: frozenset[str]  # the question's other subjects
    asked: frozenset[str] = frozenset()  # the question's own words
    modified: tuple[tuple[int, int], ...] = ()  # (modifier, its word): low bias, O(1) access
    compact: bool = False  # a wrong claim: said within one clause, its words close together
    conjoined: bool = False  # says "X and Y" itself: a wrong claim may then span an "and"

    @functools.cached_property
    def ids(self) -> frozenset[str]:
        """Every id any of its required words says."""
        return frozenset(i for slot in self.slots for i in slot.ids)

    @property
    def usable(self) -> bool:
        """False when only question words are required: saying those earns nothing (unless
        the phrasing denies something of them: "valid padding adds no padding")."""
        return self.negative or any(not s.in_question for s in self.slots)


def _content(text: str) -> tuple[list[list[Token]], bool]:
    """A phrasing's required words, `or` groups merged, and whether it says a negation."""
    plain = _normalize(text)
    negative = any(
        w in NEGATORS or (w, n) in NEGATOR_PAIRS
        for w, n in zip(_WORD.findall(plain), [*_WORD.findall(plain)[1:], ""], strict=True)
    )
    groups: list[list[Token]] = []
    join_next = False
    for token in tokenize(text.replace("/", " or ")):
        if token.surface == "or":
            join_next = bool(groups)
            continue
        if token.stop:
            continue
        if join_next:
            groups[-1].append(token)
            join_next = False
        else:
            groups.append([token])
    return groups, negative


def question_ids(question_text: str) -> frozenset[str]:
    """The ids of the question's own words (not of what they abbreviate: the ReLU question does
    not ask "rectified linear unit", but typing "ReLU" back does not say it either)."""
    return frozenset(t.own for t in tokenize(question_text) if not t.stop)


@functools.lru_cache(maxsize=8192)
def compile_phrasing(text: str, asked: frozenset[str], subjects: frozenset[str]) -> Phrasing:
    """A phrasing's slots. When it opens with one of the question's subjects ("bagging trains
    models independently"), the other subjects are its rivals: its claim must not be said of
    them."""
    groups, negative = _content(text)
    slots = []
    for group in groups:
        ids = frozenset(t.own for t in group)
        slots.append(Slot(ids, tuple(t.surface for t in group), bool(ids & asked)))
    named = set(slots[0].ids & subjects) if slots else set()
    modified: list[tuple[int, int]] = []
    for i, slot in enumerate(slots):
        if not slot.ids <= MODIFIERS:
            continue
        if i + 1 < len(slots) and not slots[i + 1].ids <= MODIFIERS:
            modified.append((i, i + 1))
        elif i > 0 and not slots[i - 1].ids <= MODIFIERS:
            modified.append((i, i - 1))
    return Phrasing(
        text,
        tuple(slots),
        negative,
        frozenset(named),
        frozenset(),
        asked,
        tuple(modified),
        conjoined="and" in _WORD.findall(_normalize(text)),
    )


# --- matching -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _similar(a: str, b: str) -> bool:
    """A typo of one another, never a word and its opposite (labeled, unlabeled)."""
    if abs(len(a) - len(b)) > (2 if min(len(a), len(b)) >= 8 else 1) or (
        a[0] != b[0] and a[-1] != b[-1]
    ):
        return False
    for prefix in _NEGATIVE_PREFIXES:
        if a.startswith(prefix) != b.startswith(prefix):
            return False
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, a, b, autojunk=False)
    return m.quick_ratio() >= TYPO_RATIO and m.ratio() >= TYPO_RATIO


class Answer:
    """A typed answer, indexed once so that many phrasings can be checked against it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.positions: dict[str, list[int]] = {}
        for k, t in enumerate(self.tokens):
            if t.stop:
                continue
            for i in t.ids:
                self.positions.setdefault(i, []).append(k)
        self._typos: dict[str, list[int]] = {}
        self._by_first: dict[str, list[tuple[int, str]]] = {}
        self._by_last: dict[str, list[tuple[int, str]]] = {}
        for k, t in enumerate(self.tokens):
            if not t.stop and len(t.surface) >= 4 and t.surface.isalpha():
                self._by_first.setdefault(t.surface[0], []).append((k, t.surface))
                self._by_last.setdefault(t.surface[-1], []).append((k, t.surface))

    def _typo(self, word: str) -> list[int]:
        if word in self._typos:
            return self._typos[word]
        found: list[int] = []
        if len(word) >= 5 and word.isalpha():
            # a typo keeps the first or the last letter (see _similar): look only there
            pool = self._by_first.get(word[0], []) + self._by_last.get(word[-1], [])
            for k, s in pool:
                if abs(len(s) - len(word)) <= 2 and k not in found and _similar(s, word):
                    found.append(k)
            found.sort()
        self._typos[word] = found
        return found

    def candidates(
        self, slot: Slot, asked: frozenset[str] = frozenset(), within: frozenset[str] = frozenset()
    ) -> list[int]:
        """Where the answer says one of the slot's words; a question word typed back counts
        only as itself, never as what it abbreviates; an abbreviation fills a slot with a word
        of its term only when the phrasing (whose ids are `within`) says the whole term."""
        found: set[int] = set()
        for i in slot.ids:
            for k in self.positions.get(i, ()):
                own = self.tokens[k].own
                if own in slot.ids:
                    found.add(k)
                elif own not in asked:
                    # an abbreviation says its whole term, not one word of it: "DL" says
                    # "machine learning"'s sibling "deep learning", never the verb of
                    # "learns features"
                    full = _expansions().get(own)
                    if full is None or i not in full or full <= within:
                        found.add(k)
        if not found:
            for w in slot.words:
                found.update(self._typo(w))
        return sorted(found)

    def match(self, phrasing: Phrasing) -> tuple[int, ...] | None:
        """The answer's positions that say `phrasing`, or None."""
        if not phrasing.slots or not phrasing.usable:
            return None
        lists = [self.candidates(s, phrasing.asked, phrasing.ids) for s in phrasing.slots]
        if any(not c for c in lists):
            return None
        limit = 2 * len(lists) + 2 if phrasing.compact else SPAN_PER_WORD * len(lists) + SPAN_SLACK
        best: tuple[int, ...] | None = None
        best_span = limit + 1
        combos = 1
        for c in lists:
            combos *= len(c)
        if combos > 4000:  # a very long answer: keep the nearest few of each word
            lists = [c[:6] for c in lists]
        for combo in product(*lists):
            span = max(combo) - min(combo)
            if span >= best_span:
                continue
            if not self._coherent(combo, phrasing):
                continue
            best, best_span = combo, span
        return best

    def _coherent(self, combo: tuple[int, ...], phrasing: Phrasing) -> bool:
        tokens = self.tokens
        first = tokens[combo[0]].sentence
        if any(tokens[k].sentence != first for k in combo):
            return False
        if phrasing.compact and any(tokens[k].claim != tokens[combo[0]].claim for k in combo):
            return False
        if phrasing.compact and not phrasing.conjoined and not self._one_conjunct(combo):
            return False
        if any(tokens[k].negated for k in combo) != phrasing.negative:
            return False
        for m, w in phrasing.modified:
            # "low bias, high variance" is not "high bias and low variance": the modifier
            # nearest the word must be the phrasing's own
            nearest = self._nearest_modifier(combo[w])
            if nearest is None:
                # a colon list ("batch: all data, exact grad, slow") says its items of the
                # word before the colon: then the nearest modifier in the sentence counts
                nearest = self._nearest_modifier(combo[w], same_clause=False)
            if nearest != combo[m]:
                return False
        if phrasing.rivals:
            mentions = phrasing.subjects | phrasing.rivals
            for k in combo:
                if tokens[k].ids & mentions:
                    continue
                owner = self._owner(k, mentions)
                if owner & phrasing.rivals and not owner & phrasing.subjects:
                    return False
        return True

    def _one_conjunct(self, combo: tuple[int, ...]) -> bool:
        """Whether a wrong claim is said within one part of an "and": "ReLU for hidden layers
        and softmax for the output layer" does not say "ReLU for the output layer". Shared
        words still carry across: "remove dropout and regularization" says "remove
        regularization" (the words after the "and" open their part) and "NLP and speech run on
        rules" says "NLP runs on rules" (the words before it close theirs)."""
        tokens = self.tokens
        chosen = set(combo)
        first = tokens[min(combo)].conjunct
        last = tokens[max(combo)].conjunct
        if first == last:
            return True
        if list(combo) != sorted(combo):
            # shared across an "and", the words keep the claim's order: "ReLU for the hidden
            # layers and softmax ..." does not say "softmax for the hidden layers"
            return False

        def clear_run(k: int, step: int) -> bool:
            j = k + step
            while 0 <= j < len(tokens) and tokens[j].conjunct == tokens[k].conjunct:
                if not tokens[j].stop and j not in chosen:
                    return False
                j += step
            return True

        opens = all(clear_run(k, -1) for k in combo if tokens[k].conjunct != first)
        closes = all(clear_run(k, 1) for k in combo if tokens[k].conjunct != last)
        return opens or closes

    def _nearest_modifier(self, k: int, same_clause: bool = True) -> int | None:
        tokens = self.tokens
        best: int | None = None
        for j in range(max(0, k - 5), min(len(tokens), k + 6)):
            if (
                j != k
                and tokens[j].own in MODIFIERS
                and (
                    tokens[j].clause == tokens[k].clause
                    if same_clause
                    else tokens[j].sentence == tokens[k].sentence
                )
                and (best is None or abs(j - k) < abs(best - k))
            ):
                best = j
        return best

    def _owner(self, k: int, mentions: frozenset[str]) -> frozenset[str]:
        """The ids of the subject a word is said of: the nearest mention before it in its
        sentence, else the nearest after it, with the words next to that mention
        ("supervised learning" names supervised, not just learning). A sentence that opens
        with a pronoun ("it needs...") continues the subject of the sentences before it."""
        tokens = self.tokens
        sentence = tokens[k].sentence
        start = k
        while start > 0 and tokens[start - 1].sentence == sentence:
            start -= 1
        carries = tokens[start].surface in PRONOUNS or tokens[start].surface in ("they", "its")
        before = range(k - 1, -1, -1)
        after = range(k + 1, len(tokens))
        order = [*before, *after]
        for j in order:
            if tokens[j].sentence != sentence and not (carries and j < start):
                continue
            if tokens[j].ids & mentions:
                ids = set(tokens[j].ids)
                for step in (-1, 1):
                    m = j + step
                    while 0 <= m < len(tokens) and tokens[m].ids & mentions:
                        ids.update(tokens[m].ids)
                        m += step
                return frozenset(ids)
        return frozenset()

    def found_slots(self, phrasing: Phrasing) -> int:
        """How many of the phrasing's required words appear at all (for near misses: a word
        there but denied may still be a muddled right answer, so it counts)."""
        return sum(1 for s in phrasing.slots if self.candidates(s, phrasing.asked, phrasing.ids))

    def words_at(self, positions: Iterable[int]) -> str:
        """The answer's words at `positions`, in order, each negated one after its negation:
        the evidence shown on reveal ("no weights")."""
        words: list[str] = []
        for k in sorted(set(positions)):
            token = self.tokens[k]
            if token.negator and token.negator not in words:
                words.append(token.negator)
            words.append(token.surface)
        return " ".join(words)

    def says(self, phrase: str, question_text: str = "") -> bool:
        """Whether the answer says `phrase` (a question's words earn nothing)."""
        asked = question_ids(question_text) if question_text else frozenset()
        return self.match(compile_phrasing(phrase, asked, frozenset())) is not None


# --- coverage and the suggestion ----------------------------------------------------------------


@dataclass(frozen=True)
class PointResult:
    """What the answer did with one key point.

    `matched` is the phrasing that counted and `evidence` the answer's words that said it;
    `contradicted` a known wrong claim the answer made about the point (then it is not covered)
    and `contradiction` the answer's words for it; `near` that most words of a phrasing were
    there, though not said as a claim.
    """

    key_point: KeyPoint
    covered: bool
    matched: str | None = None
    evidence: str | None = None
    contradicted: str | None = None
    contradiction: str | None = None
    near: bool = False
    clear: bool = False  # covered by two or more required words beyond the question's own

    @property
    def looked_for(self) -> tuple[str, ...]:
        """The phrasings that would have counted: shown for a missed point."""
        return self.key_point.phrasings


@dataclass(frozen=True)
class Coverage:
    """Every key point's result, and the suggested rating: None when the matcher abstains,
    with `reason` saying why (also set when the suggestion is above what the points covered
    give: a long answer that says all points but one)."""

    points: tuple[PointResult, ...]
    suggested: Rating | None
    reason: str = ""

    @property
    def covered(self) -> int:
        return sum(1 for p in self.points if p.covered)

    @property
    def flags(self) -> list[bool]:
        """Covered or not, per key point in bank order."""
        return [p.covered for p in self.points]

    @property
    def fraction(self) -> float:
        return self.covered / len(self.points) if self.points else 1.0


def rating_for(covered: int, total: int) -> Rating:
    """The app's rule: every point covered, Good; at least half, Hard; else Again."""
    if covered >= total:
        return Rating.Good
    if 2 * covered >= total:
        return Rating.Hard
    return Rating.Again


_COMPARISON = re.compile(
    r"\b(differ\w*|difference\w*|compar\w*|versus|vs|between|similarit\w*|distinguish\w*|"
    r"contrast\w*)\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1024)
def _compiled(
    question_text: str, key_points: tuple[KeyPoint, ...]
) -> tuple[tuple[tuple[Phrasing, ...], tuple[Phrasing, ...]], ...]:
    """Each key point's phrasings and wrong claims, compiled for this question."""
    asked = question_ids(question_text) if question_text else frozenset()
    # In a comparison ("bagging and boosting"), a phrasing that opens with a word of the
    # question names its subject; the subjects other phrasings open with are its rivals.
    subjects = asked
    compiled = [
        (
            [compile_phrasing(p, asked, subjects) for p in kp.phrasings],
            [compile_phrasing(p, asked, subjects) for p in kp.contradicts],
        )
        for kp in key_points
    ]
    leads = frozenset(i for pair in compiled for side in pair for ph in side for i in ph.subjects)

    def bound(ph: Phrasing) -> Phrasing:
        if not ph.subjects:
            return ph
        return dataclasses.replace(ph, rivals=leads - ph.subjects)

    return tuple(
        (
            tuple(bound(p) for p in right),
            tuple(dataclasses.replace(bound(p), compact=True) for p in wrong),
        )
        for right, wrong in compiled
    )


def coverage(typed: str, key_points: tuple[KeyPoint, ...], question_text: str = "") -> Coverage:
    """Match a typed answer against each key point; suggest a rating or abstain."""
    answer = Answer(typed)
    results: list[PointResult] = []
    for kp, (phrasings, wrongs) in zip(
        key_points, _compiled(question_text, key_points), strict=True
    ):
        matched = evidence = wrong = wrong_words = None
        clear = False
        for ph in phrasings:
            hit = answer.match(ph)
            if hit is not None:
                matched, evidence = ph.text, answer.words_at(hit)
                clear = sum(1 for slot in ph.slots if not slot.in_question) >= 2
                break
        for ph in wrongs:
            hit = answer.match(ph)
            if hit is not None:
                wrong, wrong_words = ph.text, answer.words_at(hit)
                break
        near = False
        if matched is None and wrong is None:
            near = any(
                ph.usable and len(ph.slots) >= 2 and answer.found_slots(ph) == len(ph.slots)
                for ph in phrasings
            )
        results.append(
            PointResult(
                kp,
                matched is not None and wrong is None,
                matched,
                evidence,
                wrong,
                wrong_words,
                near,
                clear,
            )
        )
    substance = sum(1 for t in answer.tokens if not t.stop)
    return _suggest(tuple(results), substance)


SUBSTANTIAL = 25  # content words from which an answer may say in other words what it misses


def _suggest(points: tuple[PointResult, ...], substance: int) -> Coverage:
    """The rating the evidence supports, or None with the reason it does not decide."""
    total = len(points)
    covered = sum(1 for p in points if p.covered)
    wrong = sum(1 for p in points if p.contradicted is not None)
    near = sum(1 for p in points if p.near)
    base = rating_for(covered, total)
    if wrong:
        # A known wrong claim: the answer is Again unless what it clearly says right (a point
        # said in two or more words of its own, not a bare name) would give Hard or Good
        # anyway; only then is the outcome in doubt.
        clear = sum(1 for p in points if p.covered and p.clear)
        if 2 * wrong >= covered or rating_for(clear, total) == Rating.Again:
            return Coverage(points, Rating.Again)
        return Coverage(points, None, "right and wrong claims side by side")
    if substance >= SUBSTANTIAL and total >= 3 and covered == total - 1:
        # a long answer that says every point but one, and nothing known to be wrong: the
        # point left is most likely said in other words (a correct paraphrase, a full answer)
        return Coverage(points, Rating.Good, "every point but one, in a long answer")
    if rating_for(covered + near, total) != base:
        return Coverage(points, None, "points nearly said could change the rating")
    if base == Rating.Again and substance >= SUBSTANTIAL:
        return Coverage(points, None, "a long answer in other words than the key points")
    return Coverage(points, base)


def grade(typed: str, question: Question) -> Coverage:
    """Grade a typed answer to `question` (its own words earn nothing)."""
    return coverage(typed, question.key_points, question.question)


# --- advice for bank authors ------------------------------------------------------------------


def phrasing_warnings(point: KeyPoint, question_text: str) -> list[str]:
    """What grades badly in a key point's phrasings: `warning: ...` messages for validate."""
    asked = question_ids(question_text)
    messages: list[str] = []
    for kind, texts in (("phrasing", point.phrasings), ("contradicts", point.contradicts)):
        for text in texts:
            ph = compile_phrasing(text, asked, frozenset())
            if not ph.usable:
                messages.append(
                    f"warning: {kind} {text!r} only repeats words of the question: it can never "
                    "count"
                )
                continue
            if text == point.point and len(ph.slots) < 2 and not ph.negative:
                messages.append(
                    f"warning: point {text!r} is a bare name: say what is claimed about it "
                    "(a mention alone would earn it)"
                )
            filler = sorted({w for w in _WORD.findall(_normalize(text)) if w in FILLER_WORDS})
            if filler:
                messages.append(
                    f"warning: {kind} {text!r} has filler words ({', '.join(filler)}): they are "
                    "never required; leave them out"
                )
    return messages


# --- grading from outside: `dlquiz grade` -------------------------------------------------------


def as_record(question: Question, result: Coverage, detail: bool = False) -> dict[str, Any]:
    """A graded answer as JSON-ready data: `{"id", "covered", "suggested"}` (the rating's name,
    or None when the grader abstained); with `detail`, also why, point by point."""
    record: dict[str, Any] = {
        "id": question.id,
        "covered": result.flags,
        "suggested": None if result.suggested is None else result.suggested.name,
    }
    if detail:
        record["reason"] = result.reason or None
        record["points"] = [
            {
                "point": p.key_point.point,
                "covered": p.covered,
                "matched": p.matched,
                "evidence": p.evidence,
                "contradicted": p.contradicted,
                "contradiction": p.contradiction,
            }
            for p in result.points
        ]
    return record


def grade_lines(
    lines: Iterable[str], find: Callable[[str], Question | None]
) -> Iterator[dict[str, Any]]:
    """Grade `{"id": ..., "answer": ...}` JSON lines: one record a line, in order. A bad line
    gives `{"line": n, "error": "..."}` and grading carries on; blank lines are skipped."""
    import json

    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            request = json.loads(raw)
        except json.JSONDecodeError as e:
            yield {"line": n, "error": f"not JSON: {e.msg} (column {e.colno})"}
            continue
        if not isinstance(request, dict):
            yield {"line": n, "error": 'expected an object {"id": ..., "answer": ...}'}
            continue
        qid, answer = request.get("id"), request.get("answer")
        if not isinstance(qid, str) or not isinstance(answer, str):
            yield {"line": n, "error": '"id" and "answer" must both be strings'}
            continue
        question = find(qid)
        if question is None:
            yield {"line": n, "error": f"no question {qid!r} in the bank"}
            continue
        yield as_record(question, grade(answer, question))


def grade_jsonl(
    lines: Iterable[str], find: Callable[[str], Question | None], write: Callable[[str], object]
) -> bool:
    """`dlquiz grade --jsonl`: a JSON result line written for each line read; False when any
    line was bad (it got `{"line": n, "error": ...}` and the rest were graded)."""
    import json

    ok = True
    for record in grade_lines(lines, find):
        ok = ok and "error" not in record
        write(json.dumps(record, ensure_ascii=False))
    return ok
