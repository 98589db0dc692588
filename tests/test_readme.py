"""The README runs (issue 14): every shell block of README.md, in order, as a newcomer would
paste them after ``make run``: against a fresh server (a real uvicorn on a fresh database,
migrated and seeded as ``make run`` does, ``kredo seed-demo --with-history``). It fails when
a command does not do what the README says.

The conventions the README keeps, checked here:

- A ```` ```sh ```` block runs, unless the line before it is ``<!-- not run: why -->``: kept for
  ``make`` (it serves for ever, or runs this suite) and the benchmarks (minutes to hours).
- The blocks run in order in one bash session (``set -euo pipefail``; variables carry over from
  block to block), from the checkout as a reader would, only in a temporary folder that links
  its files (what the walk writes stays out of the checkout), with ``kredo`` on the ``PATH`` and
  ``KREDO_DATABASE_URL`` naming the fresh database; ``http://127.0.0.1:8000`` is this test's
  server on a free port. A command exiting non-zero fails the test.
- A call that must succeed says so with ``curl -f`` (``-sf``): an HTTP error is exit 22. A call
  that is refused on purpose has no ``-f``; it is the last command of its block, and its answer
  follows.
- A ```` ```json ```` block right after a ```` ```sh ```` block (only blank lines between) is the
  answer of that block's last command: what it shows must be in the last JSON document the
  block printed. Objects: the keys shown; lists: the items shown, in order, ``"..."`` standing
  for more; strings: ``...`` standing for any text.
- Business dates come from ``date`` (GNU coreutils, as on any Linux) or from earlier answers:
  no date of this century is written down in a block that runs.

On a PostgreSQL run of the suite the server gets a database of its own on the suite's
PostgreSQL server (created and dropped here); otherwise a temporary SQLite file.
"""

import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.settings import PROJECT_ROOT
from tests.conftest import DemoServer

README = PROJECT_ROOT / "README.md"
SHOWN_BASE_URL = "http://127.0.0.1:8000"
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(?P<why>\S.*?)\s*-->$")
WRITTEN_DATE = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b")
SKIPPABLE = re.compile(
    r"make |\.venv/bin/python -m (tools\.with_postgres -- \.venv/bin/python -m )?bench\."
)
DEMO_KEY = re.compile(r"kredo_demo_[a-z0-9_.]*[a-z0-9]")
# `curl` and the options written before its first argument: `-sf`, `-sSf`, `--fail`...
CURL = re.compile(r"\bcurl((?:\s+-[-\w]+)*)")
WALK_SECONDS = 120


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    code: str
    not_run: str | None  # why, when marked
    answer: str | None  # the ```json block right after it


def blocks(markdown: str) -> list[Block]:
    """The shell blocks of a Markdown text, each with its mark and its answer."""
    lines = markdown.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        fence = lines[index].strip()
        if fence not in ("```sh", "```bash"):
            index += 1
            continue
        start = index
        end = lines.index("```", start + 1)
        before = next((lines[i].strip() for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        mark = NOT_RUN.match(before)
        after = end + 1
        while after < len(lines) and not lines[after].strip():
            after += 1
        answer = None
        if after < len(lines) and lines[after].strip() == "```json":
            answer = "\n".join(lines[after + 1 : lines.index("```", after + 1)])
        found.append(
            Block(start + 1, "\n".join(lines[start + 1 : end]), mark and mark["why"], answer)
        )
        index = end + 1
    return found


def json_documents(output: str) -> list[Any]:
    """The JSON documents printed one after another (curl adds no newline between them)."""
    decoder = json.JSONDecoder()
    documents: list[Any] = []
    position = 0
    while True:
        while position < len(output) and output[position] in " \t\r\n":
            position += 1
        if position >= len(output):
            return documents
        try:
            document, position = decoder.raw_decode(output, position)
        except json.JSONDecodeError:
            position = output.find("\n", position)
            if position < 0:
                return documents
            continue
        documents.append(document)


def shown_in(shown: Any, actual: Any) -> bool:
    """What the README shows is in the actual answer (see the module's conventions)."""
    if isinstance(shown, dict):
        return isinstance(actual, dict) and all(
            key in actual and shown_in(value, actual[key]) for key, value in shown.items()
        )
    if isinstance(shown, list):
        if not isinstance(actual, list):
            return False
        items = [item for item in shown if item != "..."]
        if "..." not in shown and len(items) != len(actual):
            return False
        remaining = iter(actual)
        return all(any(shown_in(item, candidate) for candidate in remaining) for item in items)
    if isinstance(shown, str) and "..." in shown:
        pattern = ".*".join(re.escape(part) for part in shown.split("..."))
        return isinstance(actual, str) and re.fullmatch(pattern, actual, re.DOTALL) is not None
    return bool(shown == actual and type(shown) is type(actual))


def test_shown_in_reads_the_conventions() -> None:
    actual = {"status": 409, "detail": "Contract X is CANCELLED; cancel is allowed from A, B",
              "allowed_from": ["A", "B", "C"], "n": 1}  # fmt: skip
    assert shown_in({"status": 409, "allowed_from": ["A", "..."]}, actual)
    assert shown_in({"detail": "Contract ... is CANCELLED; ..."}, actual)
    assert shown_in({"allowed_from": ["A", "C"]}, actual) is False  # without "...", all items
    assert shown_in({"allowed_from": ["B", "A", "..."]}, actual) is False  # in order
    assert shown_in({"status": 422}, actual) is False
    assert shown_in({"n": True}, actual) is False
    assert shown_in({"missing": 1}, actual) is False
    assert json_documents('{"a": 1}{"b": [2]}\nplain text\n[3]') == [{"a": 1}, {"b": [2]}, [3]]


def test_the_readme_keeps_its_conventions() -> None:
    """Read without running: what runs, what is answered, and what must not be written."""
    found = blocks(README.read_text())
    assert found, "no shell blocks in README.md"
    for block in found:
        commands = [c for c in block.code.splitlines() if c.strip() and not c.startswith("#")]
        if block.not_run:  # kept small: make (serves for ever, or runs this suite), benchmarks
            assert all(SKIPPABLE.match(command) for command in commands), (
                f"README.md:{block.line}: only make and the benchmarks are not run"
            )
    for block in found:
        if block.not_run:
            continue
        assert not WRITTEN_DATE.findall(block.code), (
            f"README.md:{block.line}: compute business dates with date or take them from "
            f"an answer: {WRITTEN_DATE.findall(block.code)}"
        )
        lenient = [options for options in CURL.findall(block.code) if not _fails_on_error(options)]
        # A call refused on purpose (no -f) is its block's last and its answer is shown.
        refused = (
            f"README.md:{block.line}: every curl uses -f unless it is the block's one call "
            "refused on purpose, with its answer shown after the block"
        )
        assert len(lenient) <= 1, refused
        assert not lenient or block.answer, refused
        if block.answer is not None:
            json.loads(block.answer)


def _fails_on_error(options: str) -> bool:
    for option in options.split():
        if option.startswith("--fail") or (not option.startswith("--") and "f" in option):
            return True
    return False


# The test's own lines around each block: stop at the first failing command and say which;
# carry the README's variables to the next block; show curl's error for a refused call.
PROLOGUE = """\
set -Eeuo pipefail
trap 'echo "README.md:$((BLOCK_LINE + LINENO - PROLOGUE_LINES)): exit $? from: $BASH_COMMAND" \
  >&2' ERR
curl() { command curl --show-error "$@"; }
[ -f "$STATE" ] && source "$STATE"
"""


def test_the_readme_runs(demo_server: DemoServer, tmp_path: Path) -> None:
    base, env, seeded = demo_server.base, demo_server.env, demo_server.seeded
    walk = [block for block in blocks(README.read_text()) if not block.not_run]
    used_keys = {key for block in walk for key in DEMO_KEY.findall(block.code)}
    printed = set(DEMO_KEY.findall(seeded)) | {
        f"kredo_demo_{name.strip()}"
        for line in seeded.splitlines()
        if line.startswith("more demo users")
        for name in line.split(":", 2)[-1].split(",")
    }
    assert used_keys <= printed, f"keys the seed does not print: {used_keys - printed}"
    variables: set[str] = set()
    state = tmp_path / "state.sh"
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for entry in PROJECT_ROOT.iterdir():
        if entry.name != ".git" and not entry.name.startswith("kredo.db"):
            (checkout / entry.name).symlink_to(entry)
    started = time.monotonic()
    for block in walk:
        variables |= set(re.findall(r"^\s*([A-Z][A-Z0-9_]*)=", block.code, re.MULTILINE))
        save = f'\ndeclare -p {" ".join(sorted(variables))} > "$STATE"' if variables else ""
        script = PROLOGUE + block.code.replace(SHOWN_BASE_URL, base) + save + "\n"
        ran = subprocess.run(
            ["bash", "-c", script],
            cwd=checkout, capture_output=True, text=True, timeout=WALK_SECONDS,
            env={**env, "STATE": str(state), "BLOCK_LINE": str(block.line),
                 "PROLOGUE_LINES": str(PROLOGUE.count("\n"))},
        )  # fmt: skip
        where = f"README.md:{block.line}"
        assert ran.returncode == 0, f"{where}\n{ran.stderr}\n{ran.stdout[-3000:]}"
        if block.answer is not None:
            shown = json.loads(block.answer)
            answers = json_documents(ran.stdout)
            assert answers, f"{where}: no JSON answer\n{ran.stdout[-3000:]}"
            assert shown_in(shown, answers[-1]), (
                f"{where}: the README shows\n{block.answer}\nthe service answered\n"
                f"{json.dumps(answers[-1], indent=1, ensure_ascii=False)[:3000]}"
            )
    assert time.monotonic() - started < WALK_SECONDS
