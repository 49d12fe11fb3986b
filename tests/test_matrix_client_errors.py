"""What each client shows, under a matrix: the legend in text, Markdown and HTML.

The legend's texts are the client profiles' own (docs/reference/clients.md#error-texts); the
cells stay short.  Expected texts below are read from the catalogue, not from the outcomes the
legend is built from.
"""

from __future__ import annotations

import csv
import html
import io
import json
from html.parser import HTMLParser

import attrs
import pytest

import httpsys_sim as hs
from httpsys_sim.analysis._matrix import ClientErrorText, Matrix, matrix
from httpsys_sim.tls import CertState

_HEAD = "What the clients show where no HTTP answer came:"


@pytest.fixture(scope="module")
def seed() -> Matrix:
    """The default configuration: resets before 24H2 for clients without PHA, HTTP/2
    stream errors for clients that do not retry."""
    return matrix(
        releases=["win10-22h2", "win11-23h2", "win11-24h2"],
        clients=["edge", "curl", "go", "python-httpx", "node"],
    )


@pytest.fixture(scope="module")
def no_h2() -> Matrix:
    """HTTP/2 off at the binding: Go refuses the TLS 1.2 renegotiation and is reset on TLS
    1.3, two different texts under one cell label."""
    scenario = hs.Scenario.seed().with_binding(disable_http2=True)
    return matrix(
        scenario,
        releases=["server-2019", "server-2022", "server-2025"],
        clients=["go", "curl"],
        certificates=["valid", "none"],
    )


def _legend(text: str) -> list[str]:
    lines = text.splitlines()
    return lines[lines.index(_HEAD) + 1 :]


def test_text_legend_gives_each_failing_clients_profile_text(seed: Matrix) -> None:
    legend = _legend(seed.to_text())
    edge = hs.get_client("edge").error_reset.value
    go = hs.get_client("go").http2_error_text("HTTP_1_1_REQUIRED")
    httpx = hs.get_client("python-httpx").http2_error_text("HTTP_1_1_REQUIRED")
    node = hs.get_client("node").error_reset.value
    expected = {
        ("edge", "RESET", edge),
        ("go", "H2ERR", go),
        ("python-httpx", "H2ERR", httpx),
        ("node", "RESET", node),
    }
    rows = {tuple(line.split(maxsplit=2)) for line in legend if line.startswith("  ")}
    assert rows == expected
    # curl never fails here (PHA before 24H2, 500.0 from 24H2 on): no line for it.
    assert not any(line.split()[:1] == ["curl"] for line in legend)
    # The table itself stays short: no client text in a cell.
    table = seed.to_text().split(_HEAD)[0]
    assert edge not in table
    assert "stream error" not in table


def test_placeholders_are_explained_once(seed: Matrix) -> None:
    text = seed.to_text()
    assert '"<url>"' in text  # Go's net/http prefix
    assert "<addr>" not in text.split(_HEAD)[1].split("\n\n")[0]  # no text has an address
    assert text.count("<url> stands for the request's URL") == 1
    assert "<addr> stand" not in text


def test_a_matrix_without_failures_has_no_legend() -> None:
    m = matrix(releases=["win10-22h2"], clients=["edge", "curl"])
    assert m.client_errors() == ()
    assert _HEAD not in m.to_text()
    assert "What the clients show" not in m.to_markdown()
    assert "What the clients show" not in m.to_html()


def test_several_texts_under_one_label_say_where(no_h2: Matrix) -> None:
    refused = hs.get_client("go").error_renegotiation_refused.value
    reset = hs.get_client("go").error_reset.value
    assert refused is not None
    assert refused != reset
    legend = _legend(no_h2.to_text())
    at_refused = legend.index(f"  go  RESET    {refused}")
    assert legend[at_refused + 1].strip() == "in server-2019"
    at_reset = legend.index(f"  go  RESET    {reset}")
    assert legend[at_reset + 1].strip() == "in server-2022"
    entries = [e for e in no_h2.client_errors() if e.client == "go"]
    assert entries == [
        ClientErrorText(
            client="go",
            short="RESET",
            text=refused,
            cells=(("server-2019", CertState.VALID), ("server-2019", CertState.NONE)),
        ),
        ClientErrorText(
            client="go",
            short="RESET",
            text=reset,
            cells=(("server-2022", CertState.VALID), ("server-2022", CertState.NONE)),
        ),
    ]


def test_where_names_certificates_only_when_they_differ() -> None:
    from httpsys_sim.views._grid import _where

    order = ["server-2019", "server-2022"]
    cells = (("server-2019", CertState.VALID), ("server-2019", CertState.NONE))
    assert _where(cells, order, 2) == "server-2019"
    assert _where((("server-2022", CertState.NONE),), order, 2) == "server-2022 (none)"
    both = (("server-2022", CertState.NONE), ("server-2019", CertState.VALID))
    assert _where(both, order, 2) == "server-2019 (valid), server-2022 (none)"


def test_the_hosts_matrix_shows_what_the_clients_show_too() -> None:
    hm = hs.host_matrix(
        hs.Scenario.seed("server-2022"),
        hosts=["iis", "kestrel:RequireCertificate"],
        clients=["edge", "go"],
    )
    entries = hm.client_errors()
    assert entries
    assert all(column == "iis" for e in entries for column, _ in e.cells)
    text = hm.to_text()
    assert "What the clients show where no HTTP answer came:" in text
    for e in entries:
        assert html.escape(e.text) in hm.to_html()
        assert f"{e.client}" in text.split("What the clients show")[1]


def test_markdown_legend_is_a_table_of_code_spans(seed: Matrix, no_h2: Matrix) -> None:
    md = seed.to_markdown()
    assert "| client | cells | the client shows |" in md
    edge = hs.get_client("edge").error_reset.value
    assert f"| edge | RESET | `{edge}` |" in md
    refused = hs.get_client("go").error_renegotiation_refused.value
    assert f"| go | RESET in server-2019 | `{refused}` |" in no_h2.to_markdown()
    assert "`<url>` stands for the request's URL" in md


def _with_client_error(m: Matrix, text: str) -> Matrix:
    """``m`` with every failing cell's client text replaced (a value, no simulation)."""
    cells = {
        key: attrs.evolve(r, outcome=attrs.evolve(r.outcome, client_error=text))
        if r.outcome.client_error is not None
        else r
        for key, r in m.cells.items()
    }
    return attrs.evolve(m, cells=cells)


HOSTILE = '<script>alert("x")</script> | `tick` & *em*'


def test_markdown_keeps_a_pipe_or_backtick_inside_its_cell(seed: Matrix) -> None:
    md = _with_client_error(seed, HOSTILE).to_markdown()
    row = next(line for line in md.splitlines() if line.startswith("| edge | RESET |"))
    # Four unescaped pipes: the row's own; the text's is escaped, and its backticks are kept
    # inside a longer fence (a code span ends only at a run of its own length).
    assert row.replace("\\|", "").count("|") == 4
    assert "`tick`" in row
    assert "``" in row


class _Tables(HTMLParser):
    """The text inside <code> elements, and whether any <script> element opened."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self.scripts = 0
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_code = tag == "code"
        if tag == "code":
            self.codes.append("")
        self.scripts += tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in_code = False

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.codes[-1] += data


@pytest.mark.parametrize("view", ["to_html", "_repr_html_"])
def test_html_legend_escapes_the_texts(seed: Matrix, view: str) -> None:
    page = getattr(seed, view)()
    httpx = hs.get_client("python-httpx").http2_error_text("HTTP_1_1_REQUIRED")
    assert "<StreamReset" not in page  # the text's angle brackets are escaped...
    parser = _Tables()
    parser.feed(page)
    assert httpx in parser.codes  # ...and read back as the profile's text
    hostile = getattr(_with_client_error(seed, HOSTILE), view)()
    parser = _Tables()
    parser.feed(hostile)
    assert HOSTILE in parser.codes
    assert parser.scripts == (1 if view == "to_html" else 0)  # only the page's own script


def test_html_cell_tooltips_carry_the_client_text(seed: Matrix) -> None:
    page = seed.to_html()
    edge = hs.get_client("edge").error_reset.value
    tooltip = (
        'title="Outcome: connection reset by the server [R-REQ-2.tls13-reset]\n'
        f"The client shows: {edge}"
    )
    assert tooltip in page


def test_csv_and_json_carry_each_cells_client_text(seed: Matrix) -> None:
    go = hs.get_client("go").http2_error_text("HTTP_1_1_REQUIRED")
    rows = list(csv.DictReader(io.StringIO(seed.to_csv())))
    row = next(r for r in rows if (r["release"], r["client"]) == ("win11-23h2", "go"))
    assert row["client_error"] == go
    cells = json.loads(seed.to_json())["cells"]
    cell = next(c for c in cells if (c["release"], c["client"]) == ("win11-23h2", "go"))
    assert cell["outcome"]["client_error"] == go


def test_the_legend_names_exactly_the_placeholders_the_texts_use() -> None:
    """No TLS version on both ends: node's text carries ``<thread>`` and requests'
    ``<host>`` / ``<port>``, which the legend then explains; curl's carries none."""
    scenario = hs.Scenario.seed().with_binding(disable_tls13=True, disable_tls12=True)
    m = matrix(scenario, releases=["win11-24h2"], clients=["curl", "node", "python-requests"])
    texts = {e.client: e.text for e in m.client_errors()}
    assert "<thread>" in texts["node"]
    assert "(host='<host>', port=<port>)" in texts["python-requests"]
    legend = " ".join(m.to_text().split())
    assert (
        "<host>, <port> and <thread> stand for the server's host, its port and the thread id "
        "OpenSSL writes before an error (docs/reference/clients.md#error-texts)."
    ) in legend
    assert "<url>" not in legend
    assert "`<host>`, `<port>` and `<thread>` stand for" in m.to_markdown()
    only_curl = matrix(scenario, releases=["win11-24h2"], clients=["curl"])
    assert "stand for" not in only_curl.to_text()
    assert "stands for" not in only_curl.to_text()
