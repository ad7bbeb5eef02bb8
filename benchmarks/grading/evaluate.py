"""How well the key-point grader agrees with an expert, on labelled typed answers.

    python benchmarks/grading/evaluate.py                 # both halves, report-half verdict
    python benchmarks/grading/evaluate.py --misses tune   # also list the tune half's misses

Reads every benchmarks/grading/*.jsonl (the tune and report halves) and
benchmarks/grading/fresh/*.jsonl (a third set, written by another hand after the tuning and never
tuned on, reported on its own): one labelled answer a line, `{"id", "kind", "answer",
"covered": [bool per key point], "note"}`, kinds complete, terse, partial, wrong, paraphrase and
none. The expert's rating of an answer follows from its labels by the app's rule (every point
covered: Good; at least half: Hard; else Again).

The questions are split by their position in the bank: even 0-based positions are the TUNE
half, odd ones the REPORT half. Tune on the tune half only; `--misses` refuses to list the
report half's answers. For each half it prints: agreement (of the answers the grader decides),
the decided share, false credit (a wrong or "none" answer suggested Hard or Good), false blame
(a complete, terse or paraphrase answer the expert rates Hard or Good, suggested Again), a
per-kind table, the confusion matrix, key-point precision and recall, and beside it all the
naive whole-answer baseline: one similarity score of the answer against the reference answer,
with two thresholds fitted on the tune half. Then the grading time per answer (median, p99).

Targets (issue 10), on the report half: agreement >= 85%, decided >= 80%, false credit <= 5%,
false blame <= 10%, and under 5 ms per answer. Exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dlquiz.bank import default_bank_path, load_bank
from dlquiz.matching import grade, rating_for, tokenize
from dlquiz.model import RATING_NAMES, Question

HERE = Path(__file__).resolve().parent
KINDS = ("complete", "terse", "partial", "paraphrase", "wrong", "none")
CORRECT_KINDS = ("complete", "terse", "paraphrase")
WRONG_KINDS = ("wrong", "none")
TARGETS = {"agreement": 0.85, "decided": 0.80, "false_credit": 0.05, "false_blame": 0.10}
TIME_LIMIT_MS = 5.0


@dataclass(frozen=True)
class Labelled:
    question: Question
    half: str  # "tune" or "report"
    kind: str
    answer: str
    covered: tuple[bool, ...]
    line: str  # file:line, for messages

    @property
    def expert(self) -> int:
        return int(rating_for(sum(self.covered), len(self.covered)))


@dataclass(frozen=True)
class Graded:
    item: Labelled
    suggested: int | None  # None: abstained
    covered: tuple[bool, ...] | None  # None: the method does not say per point


def load(paths: Iterable[Path], fresh: bool = False) -> list[Labelled]:
    """Every labelled answer, checked against the bank (an unknown id or a wrong number of
    labels is an error naming its line). `fresh`: a set written after the tuning, by another
    hand, that no tuning has looked at; it is its own half, "fresh"."""
    bank = load_bank(default_bank_path())
    halves = {q.id: ("tune" if i % 2 == 0 else "report") for i, q in enumerate(bank.questions)}
    if fresh:
        halves = dict.fromkeys(halves, "fresh")
    items = []
    for path in sorted(paths):
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            where = f"{path.name}:{n}"
            record = json.loads(raw)
            question = bank.find(record["id"])
            if question is None:
                raise SystemExit(f"Error: {where}: no question {record['id']!r} in the bank")
            covered = tuple(bool(c) for c in record["covered"])
            if len(covered) != len(question.key_points):
                raise SystemExit(
                    f"Error: {where}: {len(covered)} labels for {len(question.key_points)} "
                    "key points"
                )
            items.append(
                Labelled(question, halves[question.id], record["kind"], record["answer"],
                         covered, where)
            )  # fmt: skip
    return items


# --- the two graders ----------------------------------------------------------------------------


def key_points(items: list[Labelled]) -> tuple[list[Graded], list[float]]:
    """The app's grader, and how long each answer took (ms). One answer is graded first to
    import the stemmer and build the tables (a one-off cost of each process, reported apart);
    the first answer to each question still pays for compiling its key points."""
    started = time.perf_counter()
    grade("warm up", items[0].question)
    print(f"first grading in this process (imports, tables): "
          f"{(time.perf_counter() - started) * 1000:.1f} ms")  # fmt: skip
    graded, times = [], []
    for item in items:
        started = time.perf_counter()
        result = grade(item.answer, item.question)
        times.append((time.perf_counter() - started) * 1000)
        suggested = None if result.suggested is None else int(result.suggested)
        graded.append(Graded(item, suggested, tuple(result.flags)))
    return graded, times


def _bag(text: str) -> Counter[str]:
    return Counter(i for t in tokenize(text) if not t.stop for i in (t.own,))


def similarity(answer: str, reference: str) -> float:
    """Cosine similarity of the two texts' stemmed content words."""
    a, b = _bag(answer), _bag(reference)
    dot = sum(a[w] * b[w] for w in a)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def baseline(items: list[Labelled]) -> list[Graded]:
    """The naive grader: one similarity score, two thresholds fitted on the tune half."""
    scores = {id(i): similarity(i.answer, i.question.answer) for i in items}
    tune = [i for i in items if i.half == "tune"]
    cuts = sorted({round(scores[id(i)], 3) for i in tune} | {0.0, 1.0})
    best, best_agree = (0.0, 0.0), -1
    for lo_index, lo in enumerate(cuts):
        for hi in cuts[lo_index:]:
            agree = sum(1 for i in tune if _cut(scores[id(i)], lo, hi) == i.expert)
            if agree > best_agree:
                best, best_agree = (lo, hi), agree
    return [Graded(i, _cut(scores[id(i)], *best), None) for i in items]


def _cut(score: float, lo: float, hi: float) -> int:
    return 1 if score < lo else 2 if score < hi else 3


# --- figures ------------------------------------------------------------------------------------


def share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def figures(graded: list[Graded]) -> dict[str, float]:
    decided = [g for g in graded if g.suggested is not None]
    wrong = [g for g in graded if g.item.kind in WRONG_KINDS]
    correct = [g for g in graded if g.item.kind in CORRECT_KINDS and g.item.expert >= 2]
    out = {
        "answers": len(graded),
        "agreement": share(sum(1 for g in decided if g.suggested == g.item.expert), len(decided)),
        "decided": share(len(decided), len(graded)),
        "false_credit": share(sum(1 for g in wrong if (g.suggested or 0) >= 2), len(wrong)),
        "false_blame": share(sum(1 for g in correct if g.suggested == 1), len(correct)),
    }
    pairs = [
        (p, e) for g in graded if g.covered for p, e in zip(g.covered, g.item.covered, strict=True)
    ]
    if pairs:
        tp = sum(1 for p, e in pairs if p and e)
        out["precision"] = share(tp, sum(1 for p, _ in pairs if p))
        out["recall"] = share(tp, sum(1 for _, e in pairs if e))
    return out


def pct(x: float) -> str:
    return "   -" if math.isnan(x) else f"{x * 100:4.0f}%"


def print_half(name: str, graded: list[Graded], naive: list[Graded]) -> dict[str, float]:
    f, b = figures(graded), figures(naive)
    print(f"\n== {name} half: {f['answers']} answers ==")
    print(f"{'':22}{'key points':>12}{'baseline':>12}")
    for key, label in (
        ("agreement", "agreement (decided)"),
        ("decided", "decided"),
        ("false_credit", "false credit"),
        ("false_blame", "false blame"),
    ):
        print(f"{label:22}{pct(f[key]):>12}{pct(b[key]):>12}")
    print(f"{'abstained':22}{pct(1 - f['decided']):>12}{pct(1 - b['decided']):>12}")
    if "precision" in f:
        print(f"key point precision / recall: {f['precision']:.2f} / {f['recall']:.2f}")
    print(f"\n{'kind':12}{'n':>4}{'decided':>9}{'agree':>7}{'Again':>7}{'Hard':>6}"
          f"{'Good':>6}{'none':>6}   baseline agree")  # fmt: skip
    for kind in KINDS:
        rows = [g for g in graded if g.item.kind == kind]
        if not rows:
            continue
        base = [g for g in naive if g.item.kind == kind]
        fk, bk = figures(rows), figures(base)
        counts = Counter(g.suggested for g in rows)
        print(f"{kind:12}{len(rows):>4}{pct(fk['decided']):>9}{pct(fk['agreement']):>7}"
              f"{counts[1]:>7}{counts[2]:>6}{counts[3]:>6}{counts[None]:>6}"
              f"   {pct(bk['agreement'])}")  # fmt: skip
    print("\nconfusion (rows: expert; columns: suggested)")
    print(f"{'':8}{'Again':>7}{'Hard':>6}{'Good':>6}{'none':>6}")
    for expert in (1, 2, 3):
        counts = Counter(g.suggested for g in graded if g.item.expert == expert)
        print(f"{RATING_NAMES[expert]:8}{counts[1]:>7}{counts[2]:>6}{counts[3]:>6}"
              f"{counts[None]:>6}")  # fmt: skip
    return f


def print_misses(graded: list[Graded]) -> None:
    """The tune half's disagreements, for tuning."""
    for g in graded:
        wrong_points = g.covered is not None and g.covered != g.item.covered
        if g.suggested == g.item.expert and not wrong_points:
            continue
        said = "abstain" if g.suggested is None else RATING_NAMES[g.suggested]
        print(f"\n{g.item.line} {g.item.question.id} [{g.item.kind}] expert "
              f"{RATING_NAMES[g.item.expert]}, suggested {said}")  # fmt: skip
        print(f"  answer: {g.item.answer}")
        result = grade(g.item.answer, g.item.question)
        for p, label in zip(result.points, g.item.covered, strict=True):
            mark = "ok " if p.covered == label else "BAD"
            extra = f" contradicted by {p.contradicted!r}" if p.contradicted else ""
            extra += " (near)" if p.near else ""
            print(
                f"  {mark} label={int(label)} got={int(p.covered)} {p.key_point.point!r}"
                f" via {p.evidence!r}{extra}"
            )
        if result.reason:
            print(f"  abstained: {result.reason}")


def check(f: dict[str, float], ms: list[float]) -> list[str]:
    """The targets the report half misses."""
    missed = []
    if not f["agreement"] >= TARGETS["agreement"]:
        missed.append(f"agreement {pct(f['agreement'])} < 85%")
    if not f["decided"] >= TARGETS["decided"]:
        missed.append(f"decided {pct(f['decided'])} < 80%")
    if not f["false_credit"] <= TARGETS["false_credit"]:
        missed.append(f"false credit {pct(f['false_credit'])} > 5%")
    if not f["false_blame"] <= TARGETS["false_blame"]:
        missed.append(f"false blame {pct(f['false_blame'])} > 10%")
    p99 = _quantile(ms, 0.99)
    if not p99 < TIME_LIMIT_MS:
        missed.append(f"p99 grading time {p99:.2f} ms >= {TIME_LIMIT_MS} ms")
    return missed


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", choices=["tune"], help="list the tune half's misses")
    parser.add_argument(
        "--tune-only", action="store_true", help="while tuning: show the tune half alone"
    )
    args = parser.parse_args(argv)
    items = load(HERE.glob("*.jsonl")) + load((HERE / "fresh").glob("*.jsonl"), fresh=True)
    if not items:
        print("Error: no labelled answers in benchmarks/grading/*.jsonl", file=sys.stderr)
        return 1
    graded, ms = key_points(items)
    naive = baseline(items)

    def half(name: str, rows: list[Graded]) -> list[Graded]:
        return [g for g in rows if g.item.half == name]

    pick: Callable[[str], tuple[list[Graded], list[Graded]]] = lambda n: (  # noqa: E731
        half(n, graded),
        half(n, naive),
    )
    print_half("tune", *pick("tune"))
    if args.tune_only:
        if args.misses:
            print_misses(half("tune", graded))
        return 0
    report = print_half("report", *pick("report"))
    print(
        f"\ngrading time per answer: median {statistics.median(ms):.2f} ms, "
        f"p99 {_quantile(ms, 0.99):.2f} ms, max {max(ms):.2f} ms (n={len(ms)}; "
        f"limit {TIME_LIMIT_MS:.0f} ms)"
    )
    if args.misses:
        print_misses(half("tune", graded))
    missed = [f"report half: {m}" for m in check(report, ms)]
    if half("fresh", graded):
        fresh = print_half("fresh", *pick("fresh"))
        missed += [f"fresh set: {m}" for m in check(fresh, ms)]
    if missed:
        print("\nMISSED: " + "; ".join(missed))
        return 1
    print("\nAll targets met on the report half and the fresh set.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
