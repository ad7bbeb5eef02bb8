"""The shipped bank, and the validator's report on every kind of bad bank."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.bank import Bank, BankError, load_bank, parse_bank
from dlquiz.matching import Answer, grade, tokenize
from dlquiz.scheduler import Rating

REPO = Path(__file__).resolve().parents[1]

MINI = textwrap.dedent(
    """\
    format_version: 1
    id: mini
    title: A small bank
    source:
      title: Notes
      publisher: Me
      date: 2026-01-31
    topics:
      cnn: Convolutional networks
      training: Training
    questions:
      - id: pooling
        number: "1"
        topics: [cnn]
        question: What does pooling do?
        answer: It downsamples each feature map with a max or an average.
        key_points:
          - point: downsamples each feature map
            alternatives: [reduces spatial size]
          - max or average
        hint: Height and width.
        corrections: []
      - id: dropout
        number: "2"
        topics: [training, cnn]
        question: What is dropout?
        answer: Dropout zeroes random units during training.
        key_points: [zeroes random units]
        hint: Think of an ensemble.
        corrections: ["The source said it was for testing."]
    """
)


def write(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(BankError) as info:
        load_bank(path)
    return [str(p).replace(f"{path}:", "") for p in info.value.problems]


# --- the shipped bank --------------------------------------------------------------------------


def test_shipped_bank_has_the_50_questions_in_source_order(bank: Bank) -> None:
    numbers = [q.number for q in bank.questions]
    expected = [str(n) for n in range(1, 14)] + ["13a"] + [str(n) for n in range(14, 50)]
    assert numbers == expected
    assert len({q.id for q in bank.questions}) == 50


def test_shipped_bank_has_the_topics_people_type(bank: Bank) -> None:
    for slug in (
        "cnn",
        "rnn",
        "fundamentals",
        "training",
        "activations",
        "generative",
        "frameworks",
        "classical-ml",
    ):
        assert slug in bank.topics
        assert bank.with_topics([slug]), f"no question is tagged {slug}"
    used = {t for q in bank.questions for t in q.topics}
    assert used == set(bank.topics)


@pytest.mark.parametrize("index", range(50))
def test_every_answer_is_interview_sized_and_complete(bank: Bank, index: int) -> None:
    q = bank.questions[index]
    words = len(re.findall(r"[\w'’-]+", q.answer))
    assert 40 <= words <= 180, f"{q.id}: {words} words"
    assert 2 <= len(q.key_points) <= 5, q.id
    assert q.hint and q.question.rstrip().endswith(("?", ".")), q.id
    assert "\\(" not in q.answer and "$" not in q.answer, f"{q.id}: LaTeX in answer"
    result = grade(q.answer, q)
    missed = [p.key_point.point for p in result.points if not p.covered]
    assert not missed, f"{q.id}: its answer does not say {missed}"
    assert result.suggested == Rating.Good, f"{q.id}: its own answer is not graded Good"


def test_hints_do_not_give_the_key_points_away(bank: Bank) -> None:
    for q in bank.questions:
        hint = Answer(q.hint)
        given_away = [kp.point for kp in q.key_points if hint.says(kp.point)]
        assert len(given_away) < len(q.key_points) / 2, f"{q.id}: hint says {given_away}"


def test_the_sources_errors_are_corrected_and_listed(bank: Bank) -> None:
    """Spot checks of errors named in the issue: the bank must not repeat them."""
    by_number = {q.number: q for q in bank.questions}
    assert sum(1 for q in bank.questions if q.corrections) >= 45
    assert "x · σ(βx)" in by_number["26"].answer  # the formula the source announced
    assert "perceptron" in by_number["18"].question.lower()  # not "perception"
    assert "rectified" in by_number["33"].answer.lower()
    assert "ratified" not in by_number["33"].answer.lower()
    gd = by_number["20"].answer.lower()
    assert "minimi" in gd and "maximize the cost" not in gd
    arrays = by_number["38"].answer.lower()
    assert "o(n)" in arrays or "shift" in arrays  # insertion/deletion are slow in arrays
    assert "placeholder" in by_number["36"].answer.lower()
    assert "tf.function" in by_number["36"].answer  # what replaced placeholders
    frameworks = by_number["10"].answer
    for gone in ("Theano", "CNTK"):
        assert gone not in frameworks or re.search(
            r"discontinued|ended|retired|no longer|last release|stopped", frameworks
        ), f"{gone} presented as current"
    # the Fourier answer is about the Fourier transform, not databases
    assert "database" not in by_number["17"].answer.lower()


def test_installed_package_finds_its_bank_from_any_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dlquiz", "validate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"DLQUIZ_HOME": str(tmp_path / "h"), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "50 questions" in result.stdout


# --- bad banks: each problem with its line ------------------------------------------------------


def test_a_valid_small_bank_loads(tmp_path: Path) -> None:
    bank = load_bank(write(tmp_path, MINI))
    assert [q.id for q in bank.questions] == ["pooling", "dropout"]
    assert bank.questions[0].key_points[0].alternatives == ("reduces spatial size",)
    assert bank.questions[1].topics == ("training", "cnn")
    assert bank.find("2") is bank.questions[1]
    assert bank.find("POOLING") is bank.questions[0]


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    text = MINI.replace("title: A small bank", "title: [unclosed")
    (problem,) = problems(tmp_path, text)
    assert re.match(r"\d+: yaml: .*\(column \d+\)", problem), problem


def test_missing_and_mistyped_fields_are_all_reported_at_once(tmp_path: Path) -> None:
    text = (
        MINI.replace("    hint: Height and width.\n", "")
        .replace('number: "2"', "number: 2")
        .replace("key_points: [zeroes random units]", "key_points: zeroes")
    )
    found = problems(tmp_path, text)
    assert "12: questions[0].hint: missing field" in found
    assert '23: questions[1].number: expected text: quote it, "2"' in found
    assert "27: questions[1].key_points: expected a list, got text" in found
    assert len(found) == 3


def test_duplicate_ids_and_numbers(tmp_path: Path) -> None:
    text = MINI.replace("id: dropout", "id: pooling").replace('number: "2"', 'number: "1"')
    found = problems(tmp_path, text)
    assert "23: questions[1].id: duplicate id 'pooling' (first on line 12)" in found
    assert "23: questions[1].number: duplicate number '1' (first on line 12)" in found


def test_unknown_topic_suggests_the_nearest(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, MINI.replace("topics: [cnn]", "topics: [cnns]"))
    assert problem == (
        "14: questions[0].topics: unknown topic 'cnns'; did you mean 'cnn'? "
        "(defined: cnn, training)"
    )


def test_empty_answer(tmp_path: Path) -> None:
    text = MINI.replace("answer: Dropout zeroes random units during training.", 'answer: ""')
    assert problems(tmp_path, text) == ["27: questions[1].answer: is empty"]


def test_wrong_format_version(tmp_path: Path) -> None:
    text = MINI.replace("format_version: 1", "format_version: 2")
    assert problems(tmp_path, text) == [
        "1: format_version: unsupported version 2 (this dlquiz reads version 1)"
    ]


def test_unknown_keys_are_typos(tmp_path: Path) -> None:
    text = MINI.replace(
        "    hint: Height and width.\n", "    hint: Height and width.\n    hnit: x\n"
    )
    (problem,) = problems(tmp_path, text)
    assert problem.startswith("22: questions[0].hnit: unknown field (allowed: id, number,")


def test_python_tags_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = MINI.replace(
        "title: A small bank",
        f"title: !!python/object/apply:os.system ['touch {marker}']",
    )
    found = problems(tmp_path, text)
    assert found == ["3: title: tag !!python/object/apply:os.system is not allowed in a bank"]
    assert not marker.exists()


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_bytes(MINI.encode().replace(b"What is dropout?", b"What is dr\xf6pout?"))
    with pytest.raises(BankError) as info:
        load_bank(path)
    assert str(info.value) == f"{path}:26: file: not UTF-8: byte 0xf6 at column 25"


def test_a_huge_answer_is_refused_with_its_line(tmp_path: Path) -> None:
    text = MINI.replace(
        "answer: Dropout zeroes random units during training.", "answer: " + "x" * 1_000_000
    )
    (problem,) = problems(tmp_path, text)
    assert problem == "27: questions[1].answer: is 1,000,000 characters long (at most 20,000)"


def test_aliases_are_refused(tmp_path: Path) -> None:
    text = MINI.replace("topics: [cnn]", "topics: &t [cnn]").replace(
        "topics: [training, cnn]", "topics: *t"
    )
    found = problems(tmp_path, text)
    assert any("anchors and aliases are not allowed" in p for p in found)


def test_missing_file_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(BankError) as info:
        load_bank(tmp_path / "nope.yaml")
    assert str(info.value.problems[0]) == f"{tmp_path / 'nope.yaml'}: file: no such file"
    assert problems(tmp_path, "") == ["1: file: empty file: a bank needs a top-level mapping"]
    assert problems(tmp_path, "- a list\n") == ["1: file: expected a mapping, got a list"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_bank_or_a_bank_error(data: bytes) -> None:
    """The loader never fails any other way, whatever the file holds."""
    try:
        parse_bank(data, Path("fuzz.yaml"))
    except BankError as e:
        assert e.problems and all(str(p).startswith("fuzz.yaml:") for p in e.problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_any_answer_text_round_trips_or_is_reported(answer: str) -> None:
    answer = f"Dropout zeroes random units. {answer}"  # it must still say its key point
    text = MINI.replace(
        "answer: Dropout zeroes random units during training.",
        "answer: " + __import__("json").dumps(answer),
    )
    try:
        bank = parse_bank(text.encode(), Path("b.yaml"))
    except BankError as e:
        # a string YAML cannot hold (a lone surrogate) fails as YAML, on the answer's line
        assert all(
            "questions[1].answer" in str(p) or str(p).startswith("b.yaml:27: yaml:")
            for p in e.problems
        ), e.problems
    else:
        assert bank.questions[1].answer == answer.strip()


def test_function_words_are_never_required() -> None:
    required = [t.surface for t in tokenize("the rate of the dropout") if not t.stop]
    assert required == ["rate", "dropout"]


def test_deep_nesting_and_extra_documents_are_reported_not_crashed_on(tmp_path: Path) -> None:
    deep = problems(tmp_path, "a: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert deep == ["1: yaml: exceeded maximum nesting depth (column 1003)"]
    assert problems(tmp_path, MINI + "---\nid: other\n") == [
        "31: file: a bank is a single YAML document"
    ]


def test_a_key_point_the_answer_does_not_say_is_reported(tmp_path: Path) -> None:
    text = MINI.replace("      - max or average\n", "      - counts the channels\n")
    assert problems(tmp_path, text) == [
        "20: questions[0].key_points[1]: 'counts the channels' is not said by the answer (one of a "
        "key point's phrasings must be said by its answer, its words close together)"
    ]
