"""The HTML views in a real browser: headless Chromium at a desktop (1400 px) and a phone
(420 px) width.  The page itself must never scroll sideways — wide tables scroll inside their
own box — and every category's text keeps its colour pair from the palette."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import httpsys_sim as hs
from httpsys_sim.views._html import result_html
from tests.clients.browsers import CHROMIUM_FLAGS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")

#: Appended to a page: the title reports whether the content overflows its box sideways.
#: The content sits in a box of the width under test (headless windows are at least 500 px
#: wide, so a phone's 420 px is a box, not the window).
_PROBE = (
    "<script>var box = document.getElementById('viewport');"
    "document.title = box.scrollWidth <= box.clientWidth"
    " ? 'fits' : 'overflows ' + box.scrollWidth;</script>"
)


def _title_in_chromium(html: str, width: int) -> str:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        head, _, rest = html.partition("<body>")
        body, _, _tail = rest.rpartition("</body>")
        boxed = (
            f'{head}<body style="margin:0"><div id="viewport" style="width:{width}px">'
            f"{body}</div>{_PROBE}</body></html>"
        )
        page.write_text(boxed, encoding="utf-8")
        done = subprocess.run(
            [
                CHROMIUM,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp}/profile",
                "--window-size=1400,900",
                "--virtual-time-budget=2000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    match = re.search(r"<title>(.*?)</title>", done.stdout)
    assert match, done.stderr[-2000:]
    return match.group(1)


def _fragment_page(fragment: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>x</title>'
        f"</head><body>{fragment}</body></html>"
    )


@pytest.mark.parametrize("width", [1400, 420])
def test_the_matrix_page_never_scrolls_sideways(width: int) -> None:
    page = hs.matrix(hs.Scenario.seed(), certificates=["valid", "none"]).to_html()
    assert _title_in_chromium(page, width) == "fits"


@pytest.mark.parametrize("width", [1400, 420])
def test_a_result_fragment_never_scrolls_sideways(width: int) -> None:
    result = hs.simulate(hs.Scenario.seed())
    page = _fragment_page(result_html(result, fixes=hs.find_fixes(result)))
    assert _title_in_chromium(page, width) == "fits"


@pytest.mark.parametrize("width", [1400, 420])
def test_the_hosts_page_never_scrolls_sideways(width: int) -> None:
    page = hs.host_matrix(
        hs.Scenario.seed(),
        hosts=["iis", "aspnetcore-httpsys:AllowRenegotation", "kestrel:DelayCertificate"],
        releases=["server-2022", "server-2025"],
    ).to_html()
    assert _title_in_chromium(page, width) == "fits"
