"""The rule catalogue: ids, sources, confidence and doubt are consistent."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from httpsys_sim.catalogue import _rules as rules
from httpsys_sim.catalogue._rules import (
    RULE_ID_PATTERN,
    RULES,
    SOURCES,
    Confidence,
    Rule,
    Source,
    get_rule,
    get_source,
)
from httpsys_sim.core._result import weakest

#: Every rule id behaviour.md defines (copied here: the spec is not installed with the package).
BEHAVIOUR_RULE_IDS = (
    "R-REL-1",
    "R-REL-2",
    "R-REL-3",
    "R-BIND-1",
    "R-BIND-2",
    "R-IIS-1",
    "R-IIS-2",
    "R-IIS-3",
    "R-IIS-4",
    "R-IIS-5",
    "R-IIS-6",
    "R-REQ-1",
    "R-REQ-2",
    "R-REQ-3",
    "R-TLS-1",
    "R-TLS-2",
    "R-TLS-3",
    "R-TLS-4",
    "R-TLS-5",
    "R-TLS-6",
    "R-TLS-7",
)

#: Rules the model adds: release policy, table rows, pipeline, RFC sections, personalities.
MODEL_RULE_IDS = (
    "R-REL-4",
    "R-REL-5",
    "R-IIS-2.require-only",
    "R-IIS-5.accept-invalid",
    "R-REQ-2.cert-present",
    "R-REQ-2.h2",
    "R-REQ-2.h3",
    "R-REQ-2.tls12-reneg",
    "R-REQ-2.tls12-body",
    "R-REQ-2.tls12-refused",
    "R-REQ-2.tls12-ignored",
    "R-REQ-2.tls12-schannel-blocked",
    "R-REQ-2.tls13-reset",
    "R-REQ-2.tls13-pha",
    "R-REQ-2.tls13-not-supported",
    "R-PIPE-1",
    "R-PIPE-2",
    "R-PIPE-3",
    "R-PIPE-4",
    "R-PIPE-5",
    "RFC5246-7.3",
    "RFC5246-7.3-abbreviated",
    "RFC5246-7.4.1.1",
    "RFC5246-7.4.1.2",
    "RFC5246-7.4.4",
    "RFC5246-7.4.6",
    "RFC5246-7.4.8",
    "RFC5246-7.4.9",
    "RFC5246-7.2.1",
    "RFC5246-7.2.2",
    "RFC5077-3.3",
    "RFC5746-3",
    "RFC8446-2",
    "RFC8446-4.1.1",
    "RFC8446-4.2.1",
    "RFC8446-4.2.6",
    "RFC8446-4.3.2",
    "RFC8446-4.4.2",
    "RFC8446-4.4.2.4",
    "RFC8446-4.6.1",
    "RFC8446-4.6.2",
    "RFC8446-6.1",
    "RFC8446-6.2",
    "RFC8446-D.4",
    "RFC7301-3.2",
    "RFC9113-9.2.1",
    "RFC8740",
    "RFC9001-4.4",
    *(f"P-OSSL-{n}" for n in range(1, 12)),
    *(f"P-SCH-{n}" for n in range(1, 7)),
    *(f"R-CLI-{n}" for n in range(1, 13)),
)


def test_every_behaviour_rule_is_in_the_catalogue() -> None:
    missing = [rule_id for rule_id in BEHAVIOUR_RULE_IDS if rule_id not in RULES]
    assert missing == []


def test_every_model_rule_is_in_the_catalogue() -> None:
    missing = [rule_id for rule_id in MODEL_RULE_IDS if rule_id not in RULES]
    assert missing == []


def test_rule_ids_are_unique_and_keyed_by_their_own_id() -> None:
    ids = [rule.id for rule in rules._ALL_RULES]
    assert len(ids) == len(set(ids)) == len(RULES)
    assert all(key == rule.id for key, rule in RULES.items())


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_ids_are_well_formed(rule_id: str) -> None:
    assert RULE_ID_PATTERN.match(rule_id)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_cites_known_sources(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.sources, "every rule cites at least one source"
    assert [s for s in rule.sources if s not in SOURCES] == []


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_text_is_filled_in(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.title.strip()
    assert rule.section.strip()
    assert len(rule.statement) > 40
    assert isinstance(rule.confidence, Confidence)


def test_inferred_rules_carry_alternatives() -> None:
    bare = [
        r.id for r in RULES.values() if r.confidence is Confidence.INFERRED and not r.alternatives
    ]
    assert bare == []


def test_confidence_follows_behaviour_md_for_table_rows() -> None:
    assert get_rule("R-REQ-2.tls13-reset").confidence is Confidence.DOCUMENTED
    assert get_rule("R-REQ-2.tls13-pha").confidence is Confidence.REPORTED
    assert get_rule("R-REQ-2.tls12-refused").confidence is Confidence.REPORTED
    assert get_rule("R-REQ-2.h3").confidence is Confidence.INFERRED
    assert get_rule("R-REL-4").confidence is Confidence.REPORTED  # upgraded by S46
    assert get_rule("R-IIS-2.require-only").confidence is Confidence.INFERRED


def test_r_rel_2_keeps_the_contradiction_with_s3_visible() -> None:
    rule = get_rule("R-REL-2")
    assert rule.sources == ("S4",)
    assert any("S3" in note and "contradict" in note.lower() for note in rule.notes)


def test_partly_inferred_rules_say_which_part_is_inferred() -> None:
    for rule_id in ("R-REL-3", "R-REQ-2.tls13-not-supported", "R-IIS-3", "R-IIS-6"):
        rule = get_rule(rule_id)
        assert any("inferred" in note for note in rule.notes), rule_id
        assert rule.alternatives, rule_id


def test_ignored_hello_request_is_a_timeout_with_the_reset_as_alternative() -> None:
    rule = get_rule("R-REQ-2.tls12-ignored")
    assert "Timer_SslRenegotiation" in rule.statement
    assert any("reset" in alt for alt in rule.alternatives)


def test_every_behaviour_source_is_listed() -> None:
    missing = [f"S{n}" for n in range(1, 39) if f"S{n}" not in SOURCES]
    assert missing == []
    assert "MODEL" in SOURCES


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_sources_are_well_formed(source_id: str) -> None:
    source = SOURCES[source_id]
    assert source.id == source_id
    assert source.title.strip()
    assert source.url is None or re.match(r"^https://[^\s]+$", source.url)


def test_openssl_sources_point_at_the_3_0_branch() -> None:
    for source_id in ("OSSL-STATEM-SRVR", "OSSL-STATEM-LIB", "OSSL-REC-LAYER", "OSSL-SSL-LIB"):
        url = get_source(source_id).url
        assert url is not None
        assert url.startswith("https://github.com/openssl/openssl/blob/openssl-3.0/")


def test_get_rule_unknown_id_names_close_matches() -> None:
    with pytest.raises(KeyError, match=r"R-REQ-2\.h2"):
        get_rule("R-REQ-2.h22")


def test_get_source_unknown_id_raises_key_error() -> None:
    with pytest.raises(KeyError, match="unknown source id"):
        get_source("S99")


def test_catalogue_is_immutable() -> None:
    with pytest.raises(TypeError):
        RULES["R-NEW-1"] = get_rule("R-REL-1")  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        get_rule("R-REL-1").title = "changed"  # type: ignore[misc]


def test_values_are_hashable_and_repr_is_valid_python() -> None:
    rule = get_rule("R-REQ-2.h2")
    namespace = {"Rule": Rule, "Source": Source, "Confidence": Confidence}
    assert eval(repr(rule), namespace) == rule
    source = get_source("S1")
    assert eval(repr(source), namespace) == source
    assert len({rule, get_rule("R-REQ-2.h2")}) == 1


def test_check_rejects_unknown_sources_and_bare_inferences() -> None:
    unknown = Rule(
        id="R-TEST-1",
        title="t",
        statement="s",
        confidence=Confidence.DOCUMENTED,
        sources=("S404",),
        section="test",
    )
    with pytest.raises(RuntimeError, match="unknown source"):
        rules._check(SOURCES, {unknown.id: unknown})
    bare = attrs.evolve(unknown, sources=("MODEL",), confidence=Confidence.INFERRED)
    with pytest.raises(RuntimeError, match="alternative"):
        rules._check(SOURCES, {bare.id: bare})
    malformed = attrs.evolve(unknown, id="bad id", sources=("MODEL",))
    with pytest.raises(RuntimeError, match="malformed"):
        rules._check(SOURCES, {malformed.id: malformed})


def test_index_rejects_duplicate_ids() -> None:
    rule = get_rule("R-REL-1")
    with pytest.raises(RuntimeError, match="duplicate"):
        rules._index((rule, rule), "rule")


def test_rule_ids_used_by_the_tls_personalities_exist() -> None:
    personality = pytest.importorskip("httpsys_sim.tls")
    for stack in personality.PERSONALITIES.values():
        missing = [rule_id for rule_id in stack.rules.values() if rule_id not in RULES]
        assert missing == [], stack.id


def test_rule_ids_quoted_anywhere_in_the_package_exist() -> None:
    """Every string literal in the package that looks like a rule id names a real rule."""
    package = Path(rules.__file__).parent
    quoted = re.compile(
        r"""["']((?:R|P)-[A-Z]+-[0-9][A-Za-z0-9.-]*|RFC[0-9]{4}(?:-[A-Za-z0-9.-]+)?)["']"""
    )
    unknown = sorted(
        f"{path.relative_to(package)}: {rule_id}"
        for path in package.rglob("*.py")
        for rule_id in quoted.findall(path.read_text(encoding="utf-8"))
        if rule_id not in RULES and rule_id not in SOURCES
    )
    assert unknown == []


#: Confidence levels, surest first.
_SUREST_FIRST = [Confidence.DOCUMENTED, Confidence.REPORTED, Confidence.INFERRED]


@given(st.lists(st.sampled_from(Confidence), max_size=6))
def test_an_outcome_is_as_sure_as_its_least_certain_rule(levels: list[Confidence]) -> None:
    expected = max(levels, key=_SUREST_FIRST.index, default=Confidence.DOCUMENTED)
    assert weakest(*levels) is expected
