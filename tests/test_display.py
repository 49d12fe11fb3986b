"""Notebook views: badges, escaping, links, the SVG diagram, fragments."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import attrs
import pytest

import httpsys_sim as hs
from httpsys_sim.analysis._matrix import matrix
from httpsys_sim.tls import CertRequest, CertRequestedHow, TlsScenario, TlsVersion, run_tls
from httpsys_sim.views import _escape, _html, _svg
from httpsys_sim.views._html import result_html

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def reset_result() -> hs.Result:
    return hs.simulate(hs.Scenario.seed("win11-23h2"))


@pytest.fixture(scope="module")
def error_result() -> hs.Result:
    return hs.simulate(hs.Scenario.seed("win11-24h2"))


@pytest.fixture(scope="module")
def reneg_result() -> hs.Result:
    return hs.simulate(hs.Scenario.seed("win10-22h2"))


def hostile_scenario() -> hs.Scenario:
    seed = hs.Scenario.seed("win11-23h2")
    release = hs.Release.custom(
        "insider-x", based_on="win11-23h2", product='<img src=x onerror="alert(1)"> & co'
    )
    request = attrs.evolve(seed.request, path='/<script>alert("x")</script>&\x00`|*')
    return attrs.evolve(seed, request=request).with_release(release)


def style_selectors(fragment: str) -> list[str]:
    css = "".join(re.findall(r"<style>(.*?)</style>", fragment, re.S))
    selectors = re.findall(r"([^{}]+)\{[^{}]*\}", css)
    return [s.strip() for group in selectors for s in group.split(",")]


# --- badges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "cls", "text"),
    [("win11-23h2", "hs-reset", "RESET"), ("win11-24h2", "hs-error", "500.0")],
)
def test_badge_colour_follows_the_matrix_category(release: str, cls: str, text: str) -> None:
    badge = _html.badge_html(hs.simulate(hs.Scenario.seed(release)))
    assert f'class="hs-badge {cls}"' in badge
    assert f">{text}</span>" in badge


def test_badge_for_the_fix_is_ok_and_a_200_without_certificate_is_striped(
    error_result: hs.Result,
) -> None:
    fixed = hs.simulate(hs.find_fixes(error_result)[0].scenario)
    assert 'class="hs-badge hs-ok"' in _html.badge_html(fixed)
    # curl offers PHA: served 200 on Server 2022, but its certificate never reaches IIS.
    curl = hs.simulate(hs.Scenario.seed("server-2022").with_client("curl"))
    badge = _html.badge_html(curl)
    assert "hs-nocert" in badge
    assert ">200?</span>" in badge  # the outcome rests on an inferred rule


# --- the result view ------------------------------------------------------------------------


def test_result_html_is_a_scoped_self_contained_fragment(error_result: hs.Result) -> None:
    page = error_result._repr_html_()
    assert page.startswith('<div class="hsim"><style>')
    assert page.endswith("</div>")
    for forbidden in ("<script", "<html", "<body", "<link", " id=", "src=", "@import"):
        assert forbidden not in page
    selectors = style_selectors(page)
    assert selectors
    assert all(s.startswith(".hsim") for s in selectors), selectors


def test_result_html_cites_every_step_and_links_sources(error_result: hs.Result) -> None:
    page = result_html(error_result, fixes=hs.find_fixes(error_result))
    for step in error_result.steps:
        assert f">{step.rule}</code>" in page
    s1 = hs.SOURCES["S1"].url
    assert s1 is not None
    assert f'href="{s1}"' in page
    assert 'rel="noopener noreferrer"' in page
    rule = hs.get_rule("R-REQ-2.tls13-not-supported")
    assert _escape.escape(rule.statement) in page  # the statement is the tooltip
    assert "500 0 50" in page  # IIS log line
    assert "0x80070032" in page
    assert "Ask for the client certificate in the initial handshake" in page  # a fix


def test_hostile_text_is_escaped_everywhere() -> None:
    result = hs.simulate(hostile_scenario())
    for text in (
        result._repr_html_(),
        _svg.result_svg(result, standalone=True),
        result.scenario.server.release._repr_html_(),
        _html.comparison_html(hs.compare(result, hs.Scenario.seed())),
    ):
        assert "<script" not in text
        assert "<img" not in text
        assert "&lt;script&gt;" in text or "&lt;img" in text
        assert "\x00" not in text
    markdown = result._repr_markdown_()
    # Code spans show their text literally (never parsed as HTML); everywhere else no tag.
    outside_code = re.sub(r"`[^`\n]*`", "", markdown)
    assert "<script" not in outside_code
    assert "<img" not in outside_code
    assert "&lt;script&gt;" in outside_code


def test_markdown_escapes_tags_and_carries_a_mermaid_block(reset_result: hs.Result) -> None:
    md = reset_result._repr_markdown_()
    assert "```mermaid\nsequenceDiagram" in md
    assert '&lt;access sslFlags="SslNegotiateCert"&gt;' in md
    assert "<access" not in md
    assert "🔴 `RESET`" in md
    s1 = hs.SOURCES["S1"].url
    assert f"[S1](<{s1}>)" in md


def test_mermaid_fence_outgrows_backticks_in_the_text() -> None:
    fenced = _escape.fence("a ```` b", "mermaid")
    assert fenced.startswith("`````mermaid\n")
    assert fenced.endswith("\n`````")


# --- the SVG sequence diagram ----------------------------------------------------------------


def parse_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_svg_is_well_formed_even_with_control_characters() -> None:
    for scenario in (hostile_scenario(), hs.Scenario.seed(), hs.Scenario.seed("win10-22h2")):
        parse_svg(_svg.result_svg(hs.simulate(scenario), standalone=True))


def test_svg_of_the_reset_shows_lanes_connections_retry_and_the_reset(
    reset_result: hs.Result,
) -> None:
    root = parse_svg(_svg.result_svg(reset_result, standalone=True))
    words = texts(root)
    assert "Client: edge" in words
    assert "http.sys + Schannel" in words
    assert "IIS Express" in words
    bands = [w for w in words if w.startswith("Connection ")]
    assert [b.split(" · ")[0] for b in bands] == ["Connection 1", "Connection 2"]
    assert "ended: http2_error:HTTP_1_1_REQUIRED" in bands[0]
    assert "ended: reset" in bands[1]
    assert "HttpReceiveClientCertificate()" in words
    assert "TCP RST: connection reset" in words
    assert any("retries on a new connection" in w for w in words)
    # one padlock per encrypted TLS message, and one in the legend
    locks = sum(1 for p in root.iter(f"{SVG}path") if "a3,3 0 0 1 6,0" in p.get("d", ""))
    assert locks == 1 + sum(1 for s in reset_result.steps if s.message and s.encrypted)
    # a red cross where the connection is reset
    assert any(p.get("stroke") == "#cf222e" for p in root.iter(f"{SVG}path"))


def test_svg_of_the_500_ends_with_the_error_page(error_result: hs.Result) -> None:
    words = texts(parse_svg(_svg.result_svg(error_result, standalone=True)))
    assert "HTTP 500.0 · 0x80070032" in words
    assert "TCP RST: connection reset" not in words


def test_svg_marks_the_client_certificate_sent_in_the_clear_only_in_tls12() -> None:
    seed = hs.Scenario.seed("win10-22h2").with_binding(client_cert_negotiation=True)
    tls12 = hs.simulate(seed)
    tls13 = hs.simulate(seed.with_release("win11-24h2"))
    assert "certificate — in the clear" in texts(parse_svg(_svg.result_svg(tls12, standalone=True)))
    assert "certificate — in the clear" not in texts(
        parse_svg(_svg.result_svg(tls13, standalone=True))
    )


def test_svg_of_a_renegotiation_has_its_band(reneg_result: hs.Result) -> None:
    words = texts(parse_svg(_svg.result_svg(reneg_result, standalone=True)))
    assert any(w.startswith("Renegotiation under the current keys") for w in words)
    assert "certificate — in the clear" not in words  # the certificate travels encrypted


def test_sequence_diagram_bundle_lets_mermaid_win_without_html(reset_result: hs.Result) -> None:
    diagram = _svg.sequence_diagram(reset_result)
    bundle = diagram._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/vnd.mermaid", "image/svg+xml"}
    assert bundle["text/vnd.mermaid"].startswith("sequenceDiagram")
    parse_svg(bundle["image/svg+xml"])
    assert not hasattr(diagram, "_repr_html_")


# --- other values ------------------------------------------------------------------------------


def test_matrix_repr_is_a_fragment_not_the_cli_page() -> None:
    m = matrix(releases=["win11-23h2", "win11-24h2"], clients=["edge", "curl"])
    page = m._repr_html_()
    assert page.startswith('<div class="hsim">')
    for forbidden in ("<html", "<script", "<body", " id="):
        assert forbidden not in page
    assert all(s.startswith(".hsim") for s in style_selectors(page))
    assert '<td class="hs-reset"' in page
    assert '<td class="hs-error"' in page
    assert '<td class="hs-nocert"' in page  # curl on 23H2
    assert m.to_html().startswith("<!DOCTYPE html>")  # the CLI page is unchanged


def test_release_views() -> None:
    release = hs.get_release("win11-23h2")
    page = release._repr_html_()
    assert "Windows 11 23H2" in page
    assert 'class="hs-badge hs-reset"' in page
    assert "connection reset" in page
    for rule in release.rules:
        assert f">{rule}</code>" in page
    md = release._repr_markdown_()
    assert "| late client-certificate demand over TLS 1.3 | connection reset |" in md


def test_client_views_show_every_fact_with_sources() -> None:
    profile = hs.get_client("curl")
    page = profile._repr_html_()
    for name in profile.facts():
        assert f"<th>{name}</th>" in page
    assert "<code>accept</code>" in page  # enum values, not their reprs
    assert "RenegotiationAnswer" not in page
    md = profile._repr_markdown_()
    assert "| offers\\_pha | `yes` |" in md


def test_rule_views() -> None:
    rule = hs.get_rule("R-REQ-2.tls13-pha")
    page = rule._repr_html_()
    assert _escape.escape(rule.statement) in page
    assert "Alternatives" in page
    url = hs.SOURCES[rule.sources[0]].url
    assert url is not None
    assert f'href="{url}"' in page
    assert "R-REQ-2.tls13-pha" in rule._repr_markdown_()


def test_transcript_views() -> None:
    t = run_tls(
        TlsScenario(
            version=TlsVersion.TLS12,
            cert_request=CertRequest.REQUIRED,
            request_at=CertRequestedHow.HANDSHAKE,
        )
    )
    page = t._repr_html_()
    assert "certificate obtained" in page
    assert "certificate — in the clear" in page
    assert "<code>certificate_request</code>" in page
    md = t._repr_markdown_()
    assert "```mermaid" in md
    assert "```text" in md


def test_transcript_svg_shows_errors_and_post_handshake_band() -> None:
    pha = run_tls(TlsScenario.example())
    words = texts(parse_svg(_svg.transcript_svg(pha, standalone=True)))
    assert any(w.startswith("Post-handshake authentication") for w in words)
    refused = run_tls(attrs.evolve(TlsScenario.example(), post_handshake_auth=False))
    words = texts(parse_svg(_svg.transcript_svg(refused, standalone=True)))
    assert any("post_handshake_auth" in w for w in words)  # the server's error, as a note


def test_import_stays_lazy() -> None:
    code = "import sys, httpsys_sim; print('httpsys_sim.views._html' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
