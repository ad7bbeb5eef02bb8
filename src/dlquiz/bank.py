"""Load and validate a question bank (see docs/bank-format.md).

A bank is parsed to YAML *nodes*, never to Python objects by a YAML constructor, so no tag in
the file can construct anything or run code. The nodes are checked field by field, so that every
problem is reported at once with its line number. Loading is safe for untrusted files.
"""

from __future__ import annotations

import re
from datetime import date as Date
from pathlib import Path
from typing import Any, NamedTuple

from dlquiz.model import KeyPoint, Question, UsageError, did_you_mean
from dlquiz.paths import TooLarge, read_limited

__all__ = ["Bank", "BankError", "KeyPoint", "Problem", "Question", "Source", "load_bank"]

FORMAT_VERSION = 1
MAX_BANK_BYTES = 50 * 1024 * 1024  # 10,000 full questions take about 22 MB
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = {"question": 2_000, "answer": 20_000, "hint": 1_000, "correction": 2_000, "point": 200}
MAX_KEY_POINTS = 8
# Characters that reorder how text is displayed (U+202A-202E, U+2066-2069, U+200E/F): in a
# bank they can make a question or answer read differently on screen from what the file says.
BIDI_RE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

_T = "tag:yaml.org,2002:"
PLAIN_TAGS = {
    f"{_T}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


# The value types are NamedTuples, as in dlquiz.model (which says why).


class Source(NamedTuple):
    title: str
    publisher: str
    date: str
    url: str | None = None


class Bank:
    """A validated bank: questions in the order new cards are introduced."""

    def __init__(
        self,
        id: str,
        title: str,
        source: Source,
        topics: dict[str, str],
        questions: tuple[Question, ...],
        path: Path,
    ) -> None:
        self.id = id
        self.title = title
        self.source = source
        self.topics = topics
        self.questions = questions
        self.path = path
        # what `dlquiz validate` warns about (set when the file is parsed, not from a cache)
        self.warnings: tuple[Problem, ...] = ()
        self._by_key: dict[str, Question] = {}
        for q in questions:
            self._by_key.setdefault(q.number.lower(), q)
        for q in questions:
            self._by_key[q.id] = q

    def __repr__(self) -> str:
        return f"Bank({self.id!r}, {len(self.questions)} questions, {str(self.path)!r})"

    def replace_questions(self, questions: tuple[Question, ...]) -> Bank:
        """The same bank with other questions (as after an edit of the file)."""
        return Bank(self.id, self.title, self.source, self.topics, questions, self.path)

    def find(self, id_or_number: str) -> Question | None:
        """The question with this id or source number (`13a`, `13(a)`), or None."""
        key = id_or_number.strip().lower()
        return self._by_key.get(key) or self._by_key.get(re.sub(r"[()\s]", "", key))

    def with_topics(self, topics: tuple[str, ...] | list[str]) -> list[Question]:
        """Questions carrying any of `topics` (all questions when `topics` is empty)."""
        if not topics:
            return list(self.questions)
        wanted = set(topics)
        return [q for q in self.questions if wanted.intersection(q.topics)]

    def resolve_topics(self, values: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
        """The topics named by `--topic cnn --topic rnn` or `--topic cnn,rnn`, in order, each
        once. An unknown or empty name is a UsageError: it never silently means every topic."""
        chosen: list[str] = []
        for value in values or []:
            for part in value.split(","):
                topic = part.strip().lower()
                if not topic:
                    raise UsageError(f"--topic: empty topic name. Topics: {', '.join(self.topics)}")
                if topic not in self.topics:
                    raise UsageError(
                        f"unknown topic {topic!r}{did_you_mean(topic, self.topics)} "
                        f"Topics: {', '.join(self.topics)}"
                    )
                if topic not in chosen:
                    chosen.append(topic)
        return tuple(chosen)

    def lookup(self, id_or_number: str) -> Question:
        """The question with this id or number; a UsageError that suggests near ids if none."""
        found = self.find(id_or_number)
        if found is None:
            near = did_you_mean(id_or_number.lower(), (q.id for q in self.questions), n=3)
            raise UsageError(
                f"no question {id_or_number!r} in {self.path.name}"
                + (near or "; `dlquiz list` shows them all")
            )
        return found

    def topic_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.topics, 0)
        for q in self.questions:
            for t in q.topics:
                counts[t] += 1
        return counts


class Problem(NamedTuple):
    """One thing wrong with a bank file, where it is and what it is."""

    path: str
    line: int  # 0: the file as a whole (it is missing, unreadable, not UTF-8...)
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


class BankError(Exception):
    """A bank could not be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def default_bank_path() -> Path:
    """The bank shipped with dlquiz: the 50 cleaned questions (installed as package data)."""
    return Path(__file__).with_name("data") / "questions.yaml"


def load_bank(path: Path) -> Bank:
    """Read and validate the bank at `path`; raise BankError listing every problem."""
    return parse_bank(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """The bytes of a bank file; a file that cannot be read is a BankError too. A file larger
    than MAX_BANK_BYTES is refused before it is read whole (a device such as /dev/zero, whose
    size the file system does not know, is read no further than the limit)."""
    try:
        return read_limited(path, MAX_BANK_BYTES, "bank")
    except FileNotFoundError:
        reason = "no such file"
    except IsADirectoryError:
        reason = "is a directory, not a bank file"
    except TooLarge as e:
        reason = str(e)
    except OSError as e:
        reason = e.strerror or str(e)
    raise BankError([Problem(str(path), 0, "file", reason)])


def _decode(raw: bytes, label: str) -> str:
    """The text of a bank, which must be UTF-8 (a UTF-8 byte-order mark is allowed)."""
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if raw.startswith(bom):
            raise BankError(
                [
                    Problem(
                        label,
                        0,
                        "file",
                        f"is {name} (it starts with a {name} byte-order mark); save it as UTF-8",
                    )
                ]
            )
    if b"\x00" in raw[:4096] and raw[:4096].count(b"\x00") * 4 >= len(raw[:4096]):
        raise BankError(
            [
                Problem(
                    label,
                    0,
                    "file",
                    "holds NUL bytes: it looks like UTF-16 or UTF-32 without a "
                    "byte-order mark; save it as UTF-8",
                )
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = e.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        raise BankError(
            [Problem(label, line, "file", f"not UTF-8: byte 0x{raw[start]:02x} at column {column}")]
        ) from None


def parse_bank(raw: bytes, path: Path) -> Bank:
    """Validate the bytes of a bank file; `path` names it in messages."""
    label = str(path)
    if len(raw) > MAX_BANK_BYTES:
        raise BankError([Problem(label, 0, "file", f"is larger than {MAX_BANK_BYTES >> 20} MB")])
    text = _decode(raw, label)
    node = _compose(text, label)
    checker = _Checker(label)
    bank = checker.bank(node, path)
    if checker.problems or bank is None:
        raise BankError(sorted(checker.problems, key=lambda p: p.line))
    bank.warnings = tuple(checker.warnings)
    return bank


SCALAR, SEQ, MAP, ALIAS = "scalar", "seq", "map", "alias"


class _Node:
    """A YAML node reduced to what validation needs: far lighter than PyYAML's nodes (which
    carry two marks each), so a bank of 10,000 questions parses in a fraction of the memory."""

    __slots__ = ("anchor", "kind", "line", "tag", "value")

    def __init__(self, kind: str, tag: str, value: Any, line: int, anchor: str | None) -> None:
        self.kind = kind
        self.tag = tag
        self.value = value  # str for scalars, list[_Node] for lists, list[(key, value)] for maps
        self.line = line
        self.anchor = anchor


def _compose(text: str, label: str) -> _Node:
    """The document's node tree, built from the parser's events without recursion (so deep
    nesting cannot overflow the stack) and without resolving aliases (they are reported)."""
    import yaml  # here, not at the top: a cached bank never needs the YAML parser

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        return _build(loader, yaml, label)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        column = f" (column {mark.column + 1})" if mark is not None else ""
        what = e.problem or e.context or "invalid YAML"
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            what = "a tab is used for indentation; YAML indents with spaces only"
            raise BankError([Problem(label, line, "yaml", f"{what}{column}")]) from None
        start = e.context_mark
        if (
            e.problem
            and e.context
            and start is not None
            and mark is not None
            and start.line != mark.line  # say where the unclosed thing began
        ):
            column += f", {e.context} that starts on line {start.line + 1}"
        raise BankError([Problem(label, line, "yaml", f"{what}{column}")]) from None
    except yaml.YAMLError as e:
        raise BankError([Problem(label, 0, "yaml", str(e).splitlines()[0])]) from None
    finally:
        loader.dispose()


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column of `text`, or "" past its end."""
    lines = text.split("\n", line + 1)
    if line >= len(lines):
        return ""
    row = lines[line]
    return row[column] if column < len(row) else ""


def _build(loader: Any, yaml: Any, label: str) -> _Node:
    root: _Node | None = None
    open_nodes: list[list[Any]] = []  # [container, pending key of a mapping]
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        raise BankError([Problem(label, 1, "file", "empty file: a bank needs a top-level mapping")])
    loader.get_event()  # document start
    while not loader.check_event(yaml.DocumentEndEvent):
        event = loader.get_event()
        line = event.start_mark.line + 1
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            open_nodes.pop()
            continue
        if isinstance(event, yaml.AliasEvent):
            node = _Node(ALIAS, "", "", line, event.anchor)
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            node = _Node(SCALAR, tag, event.value, line, event.anchor)
        else:
            kind = SEQ if isinstance(event, yaml.SequenceStartEvent) else MAP
            tag = event.tag
            if tag is None or tag == "!":
                tag = f"{_T}{kind}"
            node = _Node(kind, tag, [], line, event.anchor)
        if not open_nodes:
            root = node
        else:
            parent = open_nodes[-1]
            if parent[0].kind == SEQ:
                parent[0].value.append(node)
            elif parent[1] is None:
                parent[1] = node
            else:
                parent[0].value.append((parent[1], node))
                parent[1] = None
        if node.kind in (SEQ, MAP):
            open_nodes.append([node, None])
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        line = loader.peek_event().start_mark.line + 1
        raise BankError([Problem(label, line, "file", "a bank is a single YAML document")])
    assert root is not None
    return root


class _Checker:
    """Walks the node tree, collecting problems and building the typed objects."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, node: Any, where: str, message: str) -> None:
        line = node.line if node is not None else 0
        self.problems.append(Problem(self.label, line, where, message))

    # --- node helpers -------------------------------------------------------------------------

    def _tag_ok(self, node: Any, where: str) -> bool:
        """Report a tag outside plain YAML, or an anchor or alias; False if so."""
        if node.kind != ALIAS and node.tag not in PLAIN_TAGS:
            self.problem(node, where, f"tag {node.tag.replace(_T, '!!')} is not allowed in a bank")
            return False
        if node.kind == ALIAS or node.anchor is not None:
            self.problem(node, where, "YAML anchors and aliases are not allowed in a bank")
            return False
        return True

    def mapping(
        self, node: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, tuple[Any, Any]] | None:
        """The mapping's entries as name -> (key node, value node); None if not a mapping."""
        if not self._tag_ok(node, where or "file"):
            return None
        if node.kind != MAP:
            self.problem(node, where or "file", f"expected a mapping, got {_kind(node)}")
            return None
        entries: dict[str, tuple[Any, Any]] = {}
        for key, value in node.value:
            name = key.value if key.kind == SCALAR else f"<{_kind(key)}>"
            path = f"{where}.{name}" if where else str(name)
            if name in entries:
                self.problem(key, path, "duplicate key")
            elif name not in required and name not in optional:
                allowed = ", ".join(required + optional)
                self.problem(key, path, f"unknown field (allowed: {allowed})")
            else:
                entries[name] = (key, value)
        for name in required:
            if name not in entries:
                self.problem(node, f"{where}.{name}" if where else name, "missing field")
        return entries

    def sequence(self, node: Any, where: str) -> list[Any] | None:
        if not self._tag_ok(node, where):
            return None
        if node.kind != SEQ:
            self.problem(node, where, f"expected a list, got {_kind(node)}")
            return None
        return list(node.value)

    def string(self, node: Any, where: str, limit: int | None = None) -> str | None:
        if not self._tag_ok(node, where):
            return None
        if node.kind != SCALAR or node.tag != f"{_T}str":
            self.problem(node, where, f"expected text, got {_kind(node)}")
            return None
        text: str = node.value.strip()
        if not text:
            self.problem(node, where, "is empty")
            return None
        if limit is not None and len(text) > limit:
            self.problem(node, where, f"is {len(text):,} characters long (at most {limit:,})")
            return None
        bidi = BIDI_RE.search(text)
        if bidi is not None:
            self.problem(
                node,
                where,
                f"holds the bidirectional control U+{ord(bidi.group()):04X} at character "
                f"{bidi.start() + 1}: it can make text show in another order than it is written",
            )
            return None
        return text

    def slug(self, node: Any, where: str) -> str | None:
        text = self.string(node, where)
        if text is not None and not SLUG_RE.match(text):
            self.problem(
                node, where, f"{text!r} is not a slug (lowercase letters, digits, '-', '_', '.')"
            )
            return None
        return text

    # --- the bank -----------------------------------------------------------------------------

    def bank(self, root: Any, path: Path) -> Bank | None:
        top = self.mapping(
            root, "", ("format_version", "id", "title", "source", "topics", "questions")
        )
        if top is None:
            return None
        version = self._format_version(top)
        bank_id = self.slug(top["id"][1], "id") if "id" in top else None
        title = self.string(top["title"][1], "title") if "title" in top else None
        source = self._source(top["source"][1]) if "source" in top else None
        topics = self._topics(top["topics"][1]) if "topics" in top else None
        questions = self._questions(top["questions"][1], topics) if "questions" in top else None
        if (
            version is None
            or bank_id is None
            or title is None
            or source is None
            or topics is None
            or questions is None
        ):
            return None
        return Bank(
            id=bank_id, title=title, source=source, topics=topics, questions=questions, path=path
        )

    def _format_version(self, top: dict[str, tuple[Any, Any]]) -> int | None:
        if "format_version" not in top:
            return None
        node = top["format_version"][1]
        if not self._tag_ok(node, "format_version"):
            return None
        if node.kind != SCALAR or node.tag != f"{_T}int":
            self.problem(node, "format_version", f"expected an integer, got {_kind(node)}")
            return None
        if not re.fullmatch(r"[0-9]{1,9}", node.value):
            # YAML 1.1 also reads 0x1, 0b1, 1:0 and 1_ as integers: a version is plain digits
            self.problem(
                node, "format_version", f"expected a plain integer such as 1, got {node.value!r}"
            )
            return None
        version = int(node.value)
        if version != FORMAT_VERSION:
            self.problem(
                node,
                "format_version",
                f"unsupported version {version} (this dlquiz reads version {FORMAT_VERSION})",
            )
            return None
        return version

    def _source(self, node: Any) -> Source | None:
        entries = self.mapping(node, "source", ("title", "publisher", "date"), ("url",))
        if entries is None:
            return None
        title = self.string(entries["title"][1], "source.title") if "title" in entries else None
        publisher = (
            self.string(entries["publisher"][1], "source.publisher")
            if "publisher" in entries
            else None
        )
        date = None
        if "date" in entries:
            date_node = entries["date"][1]
            if not self._tag_ok(date_node, "source.date"):
                pass
            elif date_node.kind != SCALAR or not DATE_RE.match(str(date_node.value)):
                self.problem(date_node, "source.date", "expected a date as YYYY-MM-DD")
            else:
                try:
                    date = Date.fromisoformat(date_node.value).isoformat()
                except ValueError:
                    self.problem(
                        date_node, "source.date", f"{date_node.value} is not a date in the calendar"
                    )
        url = self.string(entries["url"][1], "source.url") if "url" in entries else None
        if title is None or publisher is None or date is None:
            return None
        return Source(title=title, publisher=publisher, date=date, url=url)

    def _topics(self, node: Any) -> dict[str, str] | None:
        if not self._tag_ok(node, "topics"):
            return None
        if node.kind != MAP:
            self.problem(node, "topics", f"expected a mapping of slug: title, got {_kind(node)}")
            return None
        topics: dict[str, str] = {}
        ok = True
        for key, value in node.value:
            slug = self.slug(key, "topics")
            title = self.string(value, f"topics.{slug or key.value}")
            if slug is not None and slug in topics:
                self.problem(key, f"topics.{slug}", "duplicate topic")
                ok = False
            elif slug is None or title is None:
                ok = False
            else:
                topics[slug] = title
        if not topics and ok:
            self.problem(node, "topics", "needs at least one topic")
            return None
        return topics if ok else None

    def _questions(self, node: Any, topics: dict[str, str] | None) -> tuple[Question, ...] | None:
        items = self.sequence(node, "questions")
        if items is None:
            return None
        if not items:
            self.problem(node, "questions", "needs at least one question")
            return None
        questions: list[Question] = []
        ids: dict[str, int] = {}
        numbers: dict[str, int] = {}
        ok = True
        for index, item in enumerate(items):
            q, qid, number = self._question(item, index, topics)
            ok = ok and q is not None
            where = f"questions[{index}]"
            # Checked even when the question has other problems, so that every problem is
            # reported at once.
            if qid is not None:
                if qid in ids:
                    self.problem(
                        item, f"{where}.id", f"duplicate id {qid!r} (first on line {ids[qid]})"
                    )
                    ok = False
                ids.setdefault(qid, item.line)
            if number is not None:
                if number.lower() in numbers:
                    first = numbers[number.lower()]
                    self.problem(
                        item,
                        f"{where}.number",
                        f"duplicate number {number!r} (first on line {first})",
                    )
                    ok = False
                numbers.setdefault(number.lower(), item.line)
            if q is not None:
                questions.append(q)
        plain_numbers = {re.sub(r"[()\s]", "", n): line for n, line in numbers.items()}
        for index, item in enumerate(items):
            # `dlquiz show 3` finds a question by id or by number: an id that is another
            # question's number would hide that question.
            entries = item.value if item.kind == MAP else []
            qid_node = next((v for k, v in entries if k.value == "id"), None)
            if qid_node is None or qid_node.kind != SCALAR:
                continue
            qid = str(qid_node.value).strip()
            other = plain_numbers.get(qid)
            if other is not None and other != item.line:
                self.problem(
                    qid_node,
                    f"questions[{index}].id",
                    f"{qid!r} is the number of the question on line {other}: "
                    "`dlquiz show` could not tell them apart",
                )
                ok = False
        return tuple(questions) if ok else None

    def _question(
        self, node: Any, index: int, topics: dict[str, str] | None
    ) -> tuple[Question | None, str | None, str | None]:
        """The question (None if it has a problem), and its id and number when they are
        valid, for the checks across questions."""
        where = f"questions[{index}]"
        entries = self.mapping(
            node,
            where,
            ("id", "number", "topics", "question", "answer", "key_points", "hint", "corrections"),
        )
        if entries is None:
            return None, None, None

        def get(name: str, limit: int | None = None) -> str | None:
            if name not in entries:
                return None
            return self.string(entries[name][1], f"{where}.{name}", limit)

        qid = self.slug(entries["id"][1], f"{where}.id") if "id" in entries else None
        number = self._number(entries, where)
        question_topics = self._question_topics(entries, where, topics)
        question = get("question", MAX_TEXT["question"])
        answer = get("answer", MAX_TEXT["answer"])
        hint = get("hint", MAX_TEXT["hint"])
        key_points = self._key_points(entries, where)
        corrections = self._corrections(entries, where)
        if answer is not None and key_points is not None:
            key_points = self._said_by(answer, question, key_points, entries, f"{where}.key_points")
        if (
            qid is None
            or number is None
            or question_topics is None
            or question is None
            or answer is None
            or hint is None
            or key_points is None
            or corrections is None
        ):
            return None, qid, number
        question_ = Question(
            id=qid,
            number=number,
            topics=question_topics,
            question=question,
            answer=answer,
            key_points=key_points,
            hint=hint,
            corrections=corrections,
            line=node.line,
        )
        return question_, qid, number

    def _number(self, entries: dict[str, tuple[Any, Any]], where: str) -> str | None:
        if "number" not in entries:
            return None
        node = entries["number"][1]
        if node.tag in (f"{_T}int", f"{_T}float"):
            self.problem(node, f"{where}.number", f'expected text: quote it, "{node.value}"')
            return None
        return self.string(node, f"{where}.number", 16)

    def _question_topics(
        self, entries: dict[str, tuple[Any, Any]], where: str, topics: dict[str, str] | None
    ) -> tuple[str, ...] | None:
        if "topics" not in entries:
            return None
        node = entries["topics"][1]
        items = self.sequence(node, f"{where}.topics")
        if items is None:
            return None
        if not items:
            self.problem(node, f"{where}.topics", "needs at least one topic")
            return None
        result: list[str] = []
        ok = True
        for item in items:
            slug = self.string(item, f"{where}.topics")
            if slug is None:
                ok = False
            elif topics is not None and slug not in topics:
                hint = did_you_mean(slug, topics)
                self.problem(
                    item,
                    f"{where}.topics",
                    f"unknown topic {slug!r}{hint} (defined: {', '.join(topics)})",
                )
                ok = False
            elif slug not in result:
                result.append(slug)
        return tuple(result) if ok else None

    def _said_by(
        self,
        answer: str,
        question: str | None,
        key_points: tuple[KeyPoint, ...],
        entries: dict[str, tuple[Any, Any]],
        where: str,
    ) -> tuple[KeyPoint, ...] | None:
        """The key points if the reference answer says each of them (by one of its phrasings)
        and makes none of their known wrong claims, so that it always grades Good; else None.
        Also collects warnings about phrasings that grade badly."""
        from dlquiz.matching import coverage, phrasing_warnings  # only when parsing

        result = coverage(answer, key_points, question or "")
        ok = True
        for i, (got, item) in enumerate(
            zip(result.points, entries["key_points"][1].value, strict=True)
        ):
            if got.contradicted is not None:
                self.problem(
                    item,
                    f"{where}[{i}].contradicts",
                    f"{got.contradicted!r} is said by the answer itself (a wrong claim must not "
                    "match the reference answer)",
                )
                ok = False
            elif not got.covered:
                self.problem(
                    item,
                    f"{where}[{i}]",
                    f"{got.key_point.point!r} is not said by the answer (one of a key point's "
                    "phrasings must be said by its answer, its words close together)",
                )
                ok = False
            for message in phrasing_warnings(got.key_point, question or ""):
                self.warnings.append(Problem(self.label, item.line, f"{where}[{i}]", message))
        return key_points if ok else None

    def _key_points(
        self, entries: dict[str, tuple[Any, Any]], where: str
    ) -> tuple[KeyPoint, ...] | None:
        if "key_points" not in entries:
            return None
        node = entries["key_points"][1]
        field_name = f"{where}.key_points"
        items = self.sequence(node, field_name)
        if items is None:
            return None
        if not 1 <= len(items) <= MAX_KEY_POINTS:
            self.problem(
                node, field_name, f"needs 1 to {MAX_KEY_POINTS} key points, has {len(items)}"
            )
            return None
        points: list[KeyPoint] = []
        for i, item in enumerate(items):
            point = self._key_point(item, f"{field_name}[{i}]")
            if point is None:
                return None
            points.append(point)
        return tuple(points)

    def _key_point(self, node: Any, where: str) -> KeyPoint | None:
        limit = MAX_TEXT["point"]
        if node.kind == SCALAR:
            text = self.string(node, where, limit)
            return KeyPoint(text) if text is not None else None
        entries = self.mapping(node, where, ("point",), ("alternatives", "contradicts"))
        if entries is None or "point" not in entries:
            return None
        point = self.string(entries["point"][1], f"{where}.point", limit)
        lists: dict[str, list[str]] = {"alternatives": [], "contradicts": []}
        for name, texts in lists.items():
            if name not in entries:
                continue
            items = self.sequence(entries[name][1], f"{where}.{name}")
            if items is None:
                return None
            for item in items:
                text = self.string(item, f"{where}.{name}", limit)
                if text is None:
                    return None
                texts.append(text)
        if point is None:
            return None
        return KeyPoint(point, tuple(lists["alternatives"]), tuple(lists["contradicts"]))

    def _corrections(
        self, entries: dict[str, tuple[Any, Any]], where: str
    ) -> tuple[str, ...] | None:
        if "corrections" not in entries:
            return None
        items = self.sequence(entries["corrections"][1], f"{where}.corrections")
        if items is None:
            return None
        result: list[str] = []
        for item in items:
            text = self.string(item, f"{where}.corrections", MAX_TEXT["correction"])
            if text is not None:
                result.append(text)
        return tuple(result) if len(result) == len(items) else None


def _kind(node: Any) -> str:
    if node.kind == MAP:
        return "a mapping"
    if node.kind == SEQ:
        return "a list"
    if node.kind == ALIAS:
        return "an alias"
    tag = str(node.tag)
    if tag == f"{_T}null":
        return "nothing"
    if tag.startswith(_T):
        kind = tag[len(_T) :]
        return {"str": "text", "int": "a number", "float": "a number", "bool": "true/false"}.get(
            kind, kind
        )
    return f"tag {tag}"
