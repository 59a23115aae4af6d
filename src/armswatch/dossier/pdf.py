"""HTML to PDF with WeasyPrint, for dossiers and reports: the same HTML, laid out for A4 paper.

Nothing is fetched while laying out: only ``data:`` URIs (embedded fonts and images) are resolved;
any other URL (``http:``, ``file:``) is refused, so a hostile link in the data cannot make the
converter read a local file or reach the network. WeasyPrint needs Pango (Debian ``libpango-1.0-0``,
``libpangoft2-1.0-0``); without it :class:`ArmswatchError` says what to install.
"""

from __future__ import annotations

from typing import Any, Final

from armswatch.errors import ArmswatchError

PRINT_CSS: Final = """
@page { size: A4; margin: 12mm 11mm 14mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #5b6670; } }
body { font-size: 9.5pt; }
main { max-width: none; padding: 0; }
.maptools, .noprint, nav.toc, script, .scalebar { display: none !important; }
details > summary { display: none; }
details > * { display: block; }
.mapbox, .card, figure, tr, .chart { break-inside: avoid; }
h2, h3 { break-after: avoid; }
pre { white-space: pre-wrap; word-break: break-all; }
/* WeasyPrint lays out CSS grids spanning many pages very slowly (minutes for the demo report): blocks */
.cards, dl.prov { display: block; }
.card { margin: 0 0 10px; }
dl.prov dt { font-weight: 600; }
"""


class PdfUnavailable(ArmswatchError):
    """WeasyPrint or its system libraries are missing."""

    exit_code = 1


def _fetcher() -> Any:
    """A URL fetcher that resolves ``data:`` URIs only (WeasyPrint ≥ 68 class API, else a function)."""
    try:
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]
    except ImportError:  # older WeasyPrint: a plain function
        from weasyprint import default_url_fetcher  # type: ignore[import-untyped]

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"refused to fetch {url[:60]!r}: a PDF is made from the HTML alone")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def html_to_pdf(html: str) -> bytes:
    """A4 PDF bytes of a self-contained HTML document (its scripts do not run)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            "PDF output needs WeasyPrint and Pango: pip install 'armswatch[exports]' and, on Debian, "
            f"apt-get install libpango-1.0-0 libpangoft2-1.0-0 ({exc})"
        ) from None
    # last in the document, so it overrides the page's own rules (a user stylesheet would not)
    styled = html.replace("</head>", f"<style>{PRINT_CSS}</style></head>", 1)
    document = HTML(string=styled, url_fetcher=_fetcher(), base_url="data:,")
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
