"""Every code example in README.md and docs/**/*.md runs.

How blocks are treated (fenced with three backticks):

* ``sh`` / ``bash`` / ``shell`` blocks run with ``bash -e -o pipefail`` and the armswatch of this
  environment on PATH; ``python`` / ``py`` blocks run with this Python.
* All runnable blocks of one file run in document order in one fresh temporary folder, which is
  also ``$HOME`` (so ``~/cases/rajin`` lands there) and the starting folder of every block; files
  one block writes are there for the next. Nothing may use the network (proxies point at a closed
  port): an HTTP call fails.
* Other blocks (``text``, ``nginx``, ``toml``, no language…) are listings (output, synopses, file
  trees) and are not run; the summary counts them.
* ``<!-- not-run: REASON -->`` on the line(s) just before a fence skips that block; REASON says why
  it cannot run here (a live server, a file the reader brings, …). Skipped blocks are counted and
  printed by ``test_docs_examples_summary`` (``pytest -s``).
* ``<!-- docs-test-setup: COMMAND -->`` before a fence runs COMMAND (bash) in the same folder
  first, to make a stand-in for a file the reader would have (e.g. a scene file).

A failure names the file, the line of the block and the block's text, with the end of its output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN_SH = ("sh", "bash", "shell")
RUN_PY = ("python", "py", "python3")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+|~~~+)\s*(?P<lang>[\w+-]*)[^\n]*$")
DIRECTIVE = re.compile(r"<!--\s*(not-run|docs-test-setup):\s*(.*?)\s*-->", re.S)
TIMEOUT_S = 900


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    not_run: str | None  # reason, when marked <!-- not-run: ... -->
    setup: str | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.lang in RUN_SH + RUN_PY


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """Fenced blocks of a Markdown file with the directives written just before them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m["fence"], len(m["indent"])
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][indent:] if lines[j][:indent].isspace() else lines[j])
            j += 1
        before = "\n".join(lines[max(0, i - 4) : i])
        tail = before.split("```")[-1]  # only directives after any previous block
        found = {kind: value for kind, value in DIRECTIVE.findall(tail)}
        out.append(
            Block(
                path,
                i + 1,
                m["lang"].lower(),
                "\n".join(body) + "\n",
                found.get("not-run"),
                found.get("docs-test-setup"),
            )
        )
        i = j + 1
    return out


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARMSWATCH_", "PYTEST_"))}
    env.update(
        HOME=str(home),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        XDG_CACHE_HOME=str(home / ".cache"),
        ARMSWATCH_ANALYST="docs-test",
        COLUMNS="120",
        NO_COLOR="1",
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        no_proxy="",
    )
    return env


def _run(block: Block, home: Path) -> None:
    env = _env(home)
    if block.setup:
        setup = subprocess.run(
            ["bash", "-e", "-c", block.setup], cwd=home, env=env, capture_output=True, text=True
        )
        assert setup.returncode == 0, f"{block.where}: docs-test-setup failed: {setup.stderr[-1500:]}"
    if block.lang in RUN_SH:
        cmd = ["bash", "-e", "-o", "pipefail", "-c", block.code]
    else:
        cmd = [sys.executable, "-c", block.code]
    try:
        proc = subprocess.run(
            cmd,
            cwd=home,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{block.where}: the {block.lang} example did not finish in {TIMEOUT_S} s:\n{block.code}")
    if proc.returncode != 0:
        pytest.fail(
            f"{block.where}: the {block.lang} example exited {proc.returncode}.\n"
            f"--- block ---\n{block.code}--- stdout (end) ---\n{proc.stdout[-1500:]}\n"
            f"--- stderr (end) ---\n{proc.stderr[-2500:]}\n"
            "Fix the example or the code; if it truly cannot run here, put "
            "'<!-- not-run: REASON -->' on the line before the fence (see tests/test_docs_examples.py)."
        )


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_examples_run(path: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for block in blocks(path):
        if block.runnable and block.not_run is None:
            _run(block, home)


def test_not_run_blocks_say_why() -> None:
    for path in doc_files():
        for block in blocks(path):
            if block.not_run is not None:
                assert len(block.not_run) >= 10, f"{block.where}: <!-- not-run: --> needs a reason"


def test_docs_examples_summary() -> None:
    """Counts per file; the blocks that are not run are printed with their reason (pytest -s)."""
    ran = skipped = listings = 0
    for path in doc_files():
        for block in blocks(path):
            if not block.runnable:
                listings += 1
            elif block.not_run is not None:
                skipped += 1
                print(f"not run: {block.where} ({block.lang}): {block.not_run}")
            else:
                ran += 1
    print(f"docs examples: {ran} run, {skipped} marked not-run, {listings} listings (text, output, config)")
    assert ran > 0


def test_parser_reads_directives(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "# t\n\n```sh\necho one\n```\n\n<!-- not-run: needs a live server -->\n```sh\ncurl x\n```\n"
        "<!-- docs-test-setup: touch a.tif -->\n\n```python\nprint(1)\n```\n\n```\ntree\n```\n",
        encoding="utf-8",
    )
    found = blocks(doc)
    assert [(b.lang, b.line, b.not_run, b.setup) for b in found] == [
        ("sh", 3, None, None),
        ("sh", 8, "needs a live server", None),
        ("python", 13, None, "touch a.tif"),
        ("", 17, None, None),
    ]
    assert found[0].code == "echo one\n"
