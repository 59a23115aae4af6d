"""The dossier PDF: a compact print layout that prints at most ``PDF_ROWS`` statements per section
(rarest kinds first), says what it left out and where to find it, and keeps every printed
statement's source, artifact hash, run and review; read back with pypdf."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest

from armswatch.dossier import render
from armswatch.dossier.model import Dossier, Provenance, Statement
from armswatch.dossier.pdf import html_to_pdf
from armswatch.dossier.render import print_selection, render_html
from armswatch.report.fonts import FONT_STACK

T0 = datetime(2025, 1, 1, tzinfo=UTC)
SHA = "sha256:" + "ab" * 32


def _event(n: int, kind: str, day: int) -> Statement:
    prov = Provenance("armswatch maritime event detectors", (SHA,), run="run-EVENTS-1", detail=f"records {n}")
    start = T0 + timedelta(days=day)
    return Statement(
        "event", kind, f"{kind} number {n:03d}", (prov,), start, start + timedelta(hours=5), simulated=True
    )


def _dossier() -> Dossier:
    events = [_event(n, "port_call", n) for n in range(30)] + [
        _event(100 + n, "gap", 3 * n + 1) for n in range(4)
    ]
    finding = Statement("finding", "ais.gap", "Dark for <b>31 h</b>", (Provenance("finding of run x 1.0", (SHA,),
                        run="run-FINDINGS-2", review="confirmed: checked against the port log", finding="fnd-1"),),
                        T0, T0 + timedelta(hours=31), status="confirmed", ref="fnd-1")  # fmt: skip
    rejected = [
        Statement("finding", "ais.gap", f"REJECTED-{n}", (Provenance("f", review="rejected: outage"),), T0,
                  status="rejected", ref=f"fnd-r{n}")
        for n in range(12)
    ]  # fmt: skip
    return Dossier("vessel", "8660313", "Vessel dossier: TEST SHIP", T0, "case", "0.test",
                   facts=(("asked for", "8660313"),), statements=(*events, finding, *rejected),
                   simulated_note="This dossier rests partly on SIMULATED data.")  # fmt: skip


def test_selection_keeps_rare_kinds_whole_and_counts_the_rest() -> None:
    rows = list(enumerate(_dossier().statements[:34]))
    kept, left = print_selection(rows, 10)
    kinds = [s.kind for _, s in kept]
    assert len(kept) == 10 and kinds.count("gap") == 4  # every gap, then the first 6 port calls in time
    assert [s.text for _, s in kept if s.kind == "port_call"] == [
        f"port_call number {n:03d}" for n in range(6)
    ]
    assert [i for i, _ in kept] == sorted(i for i, _ in kept)  # section order kept
    (lo,) = left
    assert (lo.kind, lo.count, lo.of) == ("port_call", 24, 30)
    assert lo.start == T0 + timedelta(days=6) and lo.end == T0 + timedelta(days=29, hours=5)
    assert print_selection(rows, 34) == (rows, [])


def test_selection_shares_the_room_among_kinds_of_similar_size() -> None:
    rows = list(
        enumerate(
            [_event(n, kind, n) for kind in ("a", "b", "c", "d") for n in range(12)] + [_event(99, "e", 3)]
        )
    )
    kept, left = print_selection(rows, 21)
    counts = {k: sum(s.kind == k for _, s in kept) for k in "abcde"}
    assert counts == {"e": 1, "a": 5, "b": 5, "c": 5, "d": 5}  # the rare kind whole, the rest split evenly
    assert [(lo.kind, lo.count, lo.of) for lo in left] == [(k, 7, 12) for k in "abcd"]


def test_print_html_says_what_is_left_out_and_html_keeps_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "PDF_ROWS", 10)
    d = _dossier()
    full = render_html(d)
    assert "port_call number 029" in full and "Left out of this PDF" not in full
    printed = render_html(d, pdf=True)
    assert "port_call number 005" in printed and "port_call number 006" not in printed
    assert "<script" not in printed
    assert (
        "Not printed here: 24 of 30 <code>port_call</code> statements (2025-01-07 00:00 – 2025-01-30 05:00)"
        in printed
    )
    assert "This PDF prints 21 of the dossier's 47 statements" in printed  # 10 events, 1 finding, 10 rejected
    assert "armswatch dossier vessel 8660313 -o dossier.json" in printed
    assert "Dark for &lt;b&gt;31 h&lt;/b&gt;" in printed and "<b>31" not in printed
    assert "REJECTED-9" in printed and "REJECTED-10" not in printed


def test_pdf_is_honest_about_simulation_provenance_and_omissions(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("weasyprint")
    monkeypatch.setattr(render, "PDF_ROWS", 10)
    pdf = html_to_pdf(render_html(_dossier(), pdf=True))
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    for needle in ("SIMULATED DATA", "SIMULATED", "run-EVENTS-1", "run-FINDINGS-2", "sha256:abababab",
                   "computed (not reviewed)", "confirmed: checked against the port log", "records 101",
                   "Dark for <b>31 h</b>", "Left out of this PDF", "24 of 30", "gap number 103"):  # fmt: skip
        assert needle in text, needle
    assert "port_call number 006" not in text and "port_call number 005" in text


def test_pdf_names_the_font_stack_unless_fonts_come_from_a_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ARMSWATCH_FONT_DIR", raising=False)
    printed = render_html(_dossier(), pdf=True)
    assert f"--font: {FONT_STACK};" in printed and "@font-face" not in printed
    assert "installed on the machine that wrote this PDF" in printed
    monkeypatch.setenv("ARMSWATCH_FONT_DIR", str(tmp_path))  # fontconfig does not search it: embed
    printed = render_html(_dossier(), pdf=True)
    assert "installed on the machine that wrote this PDF" not in printed and "@armswatch-font" not in printed
