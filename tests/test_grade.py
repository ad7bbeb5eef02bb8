"""Grading as a user meets it: `dlquiz grade`, validate's warnings, and the reveal of a card."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner, Result

from dlquiz.cli import app
from dlquiz.matching import coverage
from dlquiz.model import KeyPoint
from dlquiz.ui import coverage_view

from .test_bank import MINI

runner = CliRunner()
POOLING = "halves height and width, max or average, no weights, robust to small shifts"


def run(*args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


def shown(renderable: object) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


# --- dlquiz grade --------------------------------------------------------------------------------


def test_grade_prints_each_point_with_the_words_that_said_it() -> None:
    result = run("grade", "pooling", "max or average pooling, it halves height and width")
    assert result.exit_code == 0, result.output
    assert "Key points: 2/4 covered · suggests Hard" in result.output
    assert "✓  downsamples each feature map  (said: “halves height width”)" in result.output
    assert "✗  no learnable parameters  (looked for:" in result.output


def test_grade_reads_the_answer_from_stdin_and_accepts_a_number() -> None:
    result = run("grade", "43", input=POOLING + "\n")
    assert result.exit_code == 0, result.output
    assert "4/4 covered · suggests Good" in result.output


def test_grade_json_is_one_object_with_the_evidence() -> None:
    result = run("grade", "pooling", "--json", "pooling learns its weights")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["id"] == "pooling"
    assert record["covered"] == [False, False, False, False]
    assert record["suggested"] == "Again"
    assert record["points"][2]["contradiction"] == "learns weights"


def test_grade_jsonl_writes_a_line_per_answer_and_an_error_object_per_bad_line() -> None:
    lines = [
        json.dumps({"id": "pooling", "answer": POOLING}),
        "not json",
        json.dumps({"id": "no-such-question", "answer": "x"}),
        json.dumps({"id": "dropout", "answer": 3}),
        "",
        json.dumps({"id": "pooling", "answer": "no idea"}),
    ]
    result = run("grade", "--jsonl", input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.output.splitlines()]
    assert out[0] == {"id": "pooling", "covered": [True, True, True, True], "suggested": "Good"}
    assert out[1]["line"] == 2 and out[1]["error"].startswith("not JSON")
    assert out[2] == {"line": 3, "error": "no question 'no-such-question' in the bank"}
    assert out[3] == {"line": 4, "error": '"id" and "answer" must both be strings'}
    assert out[4] == {"id": "pooling", "covered": [False] * 4, "suggested": "Again"}
    assert "Traceback" not in result.output


def test_grade_jsonl_of_good_lines_exits_0() -> None:
    line = json.dumps({"id": "pooling", "answer": POOLING})
    result = run("grade", "--jsonl", input=line + "\n")
    assert result.exit_code == 0
    assert json.loads(result.output)["suggested"] == "Good"


def test_grade_misuse_is_a_one_line_error() -> None:
    unknown = run("grade", "no-such-question", "x")
    assert unknown.exit_code == 2
    assert unknown.output.startswith("Error: no question 'no-such-question'")
    both = run("grade", "pooling", "--jsonl", input="")
    assert both.exit_code == 2
    assert "Error: give a QUESTION id, or --jsonl (which reads the ids from stdin)" in both.output
    neither = run("grade")
    assert neither.exit_code == 2
    assert "Error: give a QUESTION id" in neither.output


# --- validate warns, and still passes ------------------------------------------------------------


def test_validate_warns_about_points_that_grade_badly(tmp_path: Path) -> None:
    text = MINI.replace(
        "      - max or average\n",
        "      - point: pooling\n"
        "        alternatives: [what does pooling do, basically max or average]\n",
    )
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "✓ Valid bank: 2 questions in 2 topics"
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert [w.split(": ", 2)[2] for w in warnings] == [
        "warning: phrasing 'pooling' only repeats words of the question: it can never count",
        "warning: phrasing 'what does pooling do' only repeats words of the question: it can "
        "never count",
        "warning: phrasing 'basically max or average' has filler words (basically): they are "
        "never required; leave them out",
    ]
    assert all(w.startswith(f"{path}:20: questions[0].key_points[1]") for w in warnings)
    assert "3 warnings." in result.output


def test_the_shipped_bank_has_no_warnings() -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert "warning" not in result.output


def test_a_wrong_claim_the_answer_makes_itself_is_an_error(tmp_path: Path) -> None:
    text = MINI.replace(
        "      - max or average\n",
        "      - point: max or average\n        contradicts: [downsamples each feature map]\n",
    )
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert (
        "questions[0].key_points[1].contradicts: 'downsamples each feature map' is said by the "
        "answer itself" in result.output
    )


# --- the reveal --------------------------------------------------------------------------------


def test_an_abstention_says_so_and_shows_what_was_looked_for() -> None:
    points = (
        KeyPoint("randomly zeroes units", ("drops random neurons",)),
        KeyPoint("off at test time", contradicts=("applied at test time",)),
        KeyPoint("regularizes the network"),
        KeyPoint("reduces co-adaptation"),
    )
    typed = (
        "it randomly zeroes units [bold]and[/bold] regularizes the network, reducing "
        "co-adaptation; it is applied at test time"
    )
    result = coverage(typed, points)
    text = shown(coverage_view(result))
    assert "can't tell: rate it yourself" in text
    assert "✓  randomly zeroes units  (said: “randomly zeroes units”)" in text
    assert "✗  off at test time  (wrong: “applied test time”)" in text
    missed = shown(coverage_view(coverage("no idea", points)))
    assert "✗  randomly zeroes units  (looked for: “drops random neurons”…)" in missed


def test_bank_and_typed_text_are_shown_as_written() -> None:
    points = (KeyPoint("[red]zeroes[/red] units"),)
    text = shown(coverage_view(coverage("[red]zeroes[/red] units", points)))
    assert "[red]zeroes[/red] units" in text


def test_with_no_suggestion_enter_does_not_rate(tmp_path: Path) -> None:
    dropout = (
        "    answer: Dropout zeroes random units in training, it is off at test time, and\n"
        "      it regularizes the network and reduces co-adaptation.\n"
        "    key_points:\n"
        "      - zeroes random units\n"
        "      - point: off at test time\n"
        "        contradicts: [applied at test time]\n"
        "      - regularizes the network\n"
        "      - reduces co-adaptation\n"
    )
    text = MINI.replace(
        "    answer: Dropout zeroes random units during training.\n"
        "    key_points: [zeroes random units]\n",
        dropout,
    )
    assert text != MINI
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    typed = (
        "it zeroes random units and regularizes the network, which reduces co-adaptation; "
        "it is applied at test time too"
    )
    result = run("--bank", str(path), "review", "--topic", "training", input=f"{typed}\n\n\n2\n")
    assert result.exit_code == 0, result.output
    assert "can't tell: rate it yourself" in result.output
    assert " 1-4 rate" in result.output
    assert "Rate 1-4: " in result.output
    assert "✓ saved Hard" in result.output


# --- the shipped bank ----------------------------------------------------------------------------

CREDITED = [
    ("6", "a single perceptron can't represent XOR, it is not linearly separable", 3),
    ("13a", "activation functions introduce non-linearity into the network", 1),
    ("26", "swish(x) = x*sigmoid(beta*x)", 0),
    ("34", "dropout is turned off at test time", 1),
    ("38", "insertion is O(n) because later elements have to shift", 2),
    ("48", "boosting trains models sequentially, each fixing the previous errors", 2),
]


def test_main_points_that_earned_nothing_before_are_credited() -> None:
    from dlquiz.bank import default_bank_path, load_bank
    from dlquiz.matching import grade

    bank = load_bank(default_bank_path())
    for number, typed, index in CREDITED:
        question = bank.find(number)
        assert question is not None
        assert grade(typed, question).flags[index], (number, typed)


def test_swapped_claims_in_the_shipped_bank_earn_nothing() -> None:
    from dlquiz.bank import default_bank_path, load_bank
    from dlquiz.matching import grade

    bank = load_bank(default_bank_path())
    bagging = bank.find("48")
    assert bagging is not None
    swapped = grade(
        "bagging builds models sequentially, while boosting trains them independently", bagging
    )
    assert swapped.flags[1:3] == [False, False]
    assert swapped.suggested == 1  # Again: wrong claims, nothing right
    padding = bank.find("44")
    assert padding is not None
    result = grade("valid padding adds zeros around the input, same padding uses none", padding)
    assert result.flags[:2] == [False, False]
