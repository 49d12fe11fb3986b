"""hs.compare: aligned steps, the first divergence, the rules only one side cites."""

from __future__ import annotations

import attrs
import pytest

import httpsys_sim as hs

SEED = hs.Scenario.seed


def test_23h2_vs_24h2_diverge_where_the_release_policy_acts() -> None:
    c = hs.compare(SEED("win11-23h2"), SEED("win11-24h2"))
    assert c.labels == ("win11-23h2", "win11-24h2")
    assert c.scenario_differences == (("server.release", "win11-23h2", "win11-24h2"),)
    assert not c.same_outcome
    assert c.divergence is not None
    row = c.rows[c.divergence]
    assert (row.a_index, row.b_index) == (34, 34)  # step 35 on both sides
    a, b = c.diverging_steps
    assert a is not None
    assert b is not None
    assert (a.rule, b.rule) == ("R-REQ-2.tls13-reset", "R-REL-3")
    # everything before it is the same path (release names aside)
    assert all(r.status != "differ" for r in c.rows[: c.divergence])
    # the reset also leaves its (inferred) HTTPERR line behind
    assert c.rules_only_in_a == ("R-REQ-2.tls13-reset", "R-IIS-6.dropped")
    assert c.rules_only_in_b == ("R-REL-3", "R-REQ-2.tls13-not-supported")


def test_tls12_vs_tls13_diverge_at_the_server_hello() -> None:
    base = SEED("win11-23h2")
    c = hs.compare(base, base.with_binding(disable_tls13=True))
    assert c.labels == ("disable_tls13=false", "disable_tls13=true")
    assert c.a.outcome.short() == "RESET"
    assert c.b.outcome.short() == "200"
    a, b = c.diverging_steps
    assert a is not None
    assert b is not None
    assert a.message == b.message == "server_hello"
    assert (a.rule, b.rule) == ("RFC8446-2", "RFC5246-7.3")
    assert "R-TLS-7" in c.rules_only_in_b
    assert "R-REQ-2.tls12-reneg" in c.rules_only_in_b
    # the configuration step that differs is a "detail", not the divergence
    binding = next(r for r in c.rows if r.a is not None and r.a.rule == "R-BIND-1")
    assert binding.status == "detail"
    assert binding.b is not None
    assert "0x40" in binding.b.event


def test_pha_client_vs_browser_on_server_2022() -> None:
    base = SEED("server-2022")
    c = hs.compare(base.with_client("curl"), base.with_client("chrome"))
    assert c.labels == ("curl", "chrome")
    a, b = c.diverging_steps
    assert a is not None
    assert b is not None
    assert (a.rule, b.rule) == ("R-REQ-2.tls13-pha", "R-REQ-2.tls13-reset")
    # "curl retries…" and "Google Chrome retries…" are the same step worded for each client
    retry = [r for r in c.rows if r.a is not None and r.a.rule == "R-CLI-4"]
    assert [r.status for r in retry] == ["detail"]


def test_handshake_time_request_vs_late_demand() -> None:
    late = SEED("win11-24h2")
    early = late.with_binding(client_cert_negotiation=True)
    c = hs.compare(late, early)
    _, b = c.diverging_steps
    assert b is not None
    assert b.message == "certificate_request"
    assert c.b.certificate_reached_app
    assert "R-REQ-1" in c.rules_only_in_b


def test_identical_scenarios_do_not_diverge() -> None:
    c = hs.compare(SEED(), SEED())
    assert c.labels == ("A", "B")
    assert c.divergence is None
    assert c.diverging_steps == (None, None)
    assert c.same_outcome
    assert {r.status for r in c.rows} == {"same"}
    assert c.rules_only_in_a == c.rules_only_in_b == ()
    assert "same, step for step" in c.to_text()


def test_results_and_scenarios_give_the_same_comparison() -> None:
    a, b = SEED("win11-23h2"), SEED("win11-24h2")
    from_scenarios = hs.compare(a, b)
    from_results = hs.compare(hs.simulate(a), hs.simulate(b))
    assert from_results.rows == from_scenarios.rows
    assert from_results.divergence == from_scenarios.divergence


def test_labels() -> None:
    c = hs.compare(SEED("win11-23h2"), SEED("win11-24h2"), labels=("before", "after"))
    assert c.labels == ("before", "after")
    assert "Comparison: before vs after" in c.to_text()
    with pytest.raises(ValueError, match="two"):
        hs.compare(SEED(), SEED(), labels=("x",))
    many = hs.compare(
        SEED("win11-23h2"),
        attrs.evolve(SEED("win11-24h2").with_client("curl"), request=hs.Request(path="/x")),
    )
    assert many.labels == ("win11-23h2, edge, …", "win11-24h2, curl, …")


def test_text_folds_matching_runs_and_marks_the_divergence() -> None:
    text = hs.compare(SEED("win11-23h2"), SEED("win11-24h2")).to_text()
    assert "… 32 matching steps …" in text
    marked = [line for line in text.splitlines() if line.lstrip().startswith("▶")]
    assert len(marked) == 1
    assert "R-REQ-2.tls13-reset" in marked[0]
    assert "R-REL-3" in marked[0]
    assert "The paths diverge at win11-23h2 step 35 / win11-24h2 step 35." in text


def test_markdown_and_html() -> None:
    c = hs.compare(SEED("win11-23h2"), SEED("win11-24h2"), labels=("<a>", "b&"))
    md = c.to_markdown()
    assert "| outcome | **RESET**" in md
    assert "| ▶ | 35 | **" in md
    assert "&lt;a&gt;" in md
    page = c._repr_html_()
    assert "&lt;a&gt; vs b&amp;" in page
    assert "<a>" not in page.replace('<a href="', "")
    assert page.count('class="hs-first"') == 2  # the folded table and the full one
    assert 'class="hs-badge hs-reset"' in page
    assert 'class="hs-badge hs-error"' in page
    assert c._repr_markdown_() == md
