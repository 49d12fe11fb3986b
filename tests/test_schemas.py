"""Every JSON document the command line writes names its kind and format version, and matches
the JSON Schema shipped for that kind (``httpsys_sim/schemas/<kind>.schema.json``).

The documents checked are real outputs: the CLI's, every cell of a matrix, TLS transcripts
across setups, scenarios drawn by the public Hypothesis strategies.  The schemas are checked
not to be vacuous (a broken document fails) and to list exactly the code's enum values.
"""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

jsonschema = pytest.importorskip("jsonschema")

import httpsys_sim as hs  # noqa: E402
from httpsys_sim import schemas  # noqa: E402
from httpsys_sim.analysis._diagnose import _ASSUMED as UNKNOWN_SETTINGS  # noqa: E402
from httpsys_sim.catalogue._rules import Confidence  # noqa: E402
from httpsys_sim.cli import main  # noqa: E402
from httpsys_sim.core._result import OutcomeKind  # noqa: E402
from httpsys_sim.testing import strategies  # noqa: E402
from httpsys_sim.tls import (  # noqa: E402
    CertRequestedHow,
    CertState,
    TlsScenario,
    TlsVersion,
    run_tls,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def validator(kind: str) -> Any:
    return jsonschema.Draft202012Validator(schemas.schema(kind))


def assert_valid(kind: str, document: dict[str, Any]) -> None:
    errors = sorted(validator(kind).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    assert document["format"] == f"httpsys-sim/{kind}"
    assert document["format_version"] == schemas.FORMAT_VERSION
    assert list(document)[:2] == ["format", "format_version"]


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = main([*argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    document: dict[str, Any] = json.loads(out)
    return document


# --- the schemas themselves --------------------------------------------------------------


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_each_schema_is_a_valid_draft_2020_12_schema(kind: str) -> None:
    loaded = schemas.schema(kind)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(loaded)
    assert loaded["properties"]["format"] == {
        "const": f"httpsys-sim/{kind}",
        "description": "What this document is.",
    }


def test_every_kind_ships_a_schema_file_and_nothing_else() -> None:
    shipped = sorted(p.name for p in (ROOT / "httpsys_sim" / "schemas").glob("*.json"))
    assert shipped == sorted(f"{k}.schema.json" for k in schemas.KINDS)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown document kind"):
        schemas.header("scenario")


def _enums(node: Any, path: str = "") -> dict[str, list[Any]]:
    """Every ``enum`` in a schema, by JSON pointer-ish path."""
    found: dict[str, list[Any]] = {}
    if isinstance(node, dict):
        if "enum" in node:
            found[path] = node["enum"]
        for key, value in node.items():
            found.update(_enums(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.update(_enums(value, f"{path}/{i}"))
    return found


def test_schema_enums_are_the_code_enums() -> None:
    """Each enum in a schema lists exactly the values of one of the code's enums."""
    known = [
        {m.value for m in OutcomeKind},
        {m.value for m in Confidence},
        {m.value for m in CertRequestedHow},
        {m.value for m in CertState},
        {m.value for m in TlsVersion},
        {m.value for m in TlsVersion} | {None},
        {m.value for m in CertState} | {None},
        {m.value for m in hs.Host},
        {"none", "handshake", "late"},
        {"tcp", "quic"},
        set(UNKNOWN_SETTINGS),
    ]
    for kind in schemas.KINDS:
        for path, values in _enums(schemas.schema(kind)).items():
            assert set(values) in known, f"{kind}.schema.json{path}: {values}"


def test_a_broken_document_fails_its_schema(capsys: pytest.CaptureFixture[str]) -> None:
    document = cli_json(capsys, "simulate")
    assert_valid("result", document)
    for mutate in (
        lambda d: d.pop("outcome"),
        lambda d: d.update(format="httpsys-sim/matrix"),
        lambda d: d.update(format_version=2),
        lambda d: d["outcome"].update(kind="teapot"),
        lambda d: d["connections"][0].update(cert_requested="maybe"),
        lambda d: d["steps"][0].update(confidence="certain"),
    ):
        broken = copy.deepcopy(document)
        mutate(broken)
        assert not validator("result").is_valid(broken)


# --- real outputs -------------------------------------------------------------------------


def test_cli_simulate_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert_valid("result", cli_json(capsys, "simulate"))
    assert_valid(
        "result",
        cli_json(
            capsys, "simulate", "--scenario", str(ROOT / "examples" / "my_site.scenario.json")
        ),
    )
    assert_valid(
        "result",
        cli_json(capsys, "simulate", "--release", "server-2016", "--client", "curl"),
    )


def test_cli_matrix_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert_valid("matrix", cli_json(capsys, "matrix", "--certificates", "valid,none,revoked"))


def test_cli_host_matrix_matches(capsys: pytest.CaptureFixture[str]) -> None:
    """Every host, with a setting and without, across two releases: cells with and without
    an application observation, resets and answers."""
    document = cli_json(
        capsys,
        "matrix",
        "--hosts",
        "iis,iis-express,aspnetcore-iis-inprocess,aspnetcore-iis-outofprocess,"
        "aspnetcore-httpsys:AllowRenegotation,kestrel:DelayCertificate,kestrel",
        "--releases",
        "server-2022,server-2025",
        "--clients",
        "chrome,curl",
        "--certificates",
        "valid,none",
    )
    assert_valid("host-matrix", document)
    assert len(document["cells"]) == 7 * 2 * 2 * 2
    observed = [c["app_observed"] for c in document["cells"]]
    assert None in observed
    assert any(o is not None for o in observed)
    broken = copy.deepcopy(document)
    broken["cells"][0].pop("app_observed")
    assert not validator("host-matrix").is_valid(broken)


@pytest.mark.parametrize(
    ("netsh", "config"),
    [
        ("server2022_new.txt", "iis_applicationhost.config"),
        ("iisexpress_dev.txt", "iisexpress_applicationhost.config"),
        ("server2016_old.txt", None),
    ],
)
def test_cli_diagnose_matches(
    capsys: pytest.CaptureFixture[str], netsh: str, config: str | None
) -> None:
    argv = ["diagnose", "--netsh", str(FIXTURES / "netsh" / netsh)]
    if config:
        argv += ["--config", str(FIXTURES / "appconfig" / config)]
    document = cli_json(capsys, *argv)
    assert document["findings"], "a diagnosis with no finding checks nothing"
    assert_valid("diagnosis", document)


def test_cli_diagnose_bundle_with_unknowns_matches(capsys: pytest.CaptureFixture[str]) -> None:
    document = cli_json(capsys, "diagnose", "--bundle", str(FIXTURES / "bundle" / "certchecks"))
    unknowns = [u for f in document["findings"] for u in f["unknowns"]]
    assert unknowns, "the bundle's checks leave settings no export shows"
    assert any(u["fixes"] for u in unknowns)
    assert_valid("diagnosis", document)
    broken = json.loads(json.dumps(document))
    broken["findings"][1]["unknowns"][0]["assumed"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schemas.schema("diagnosis"))


@pytest.mark.parametrize("kind", ["releases", "clients", "rules"])
def test_cli_catalogues_match(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    document = cli_json(capsys, kind)
    assert document[kind], f"empty {kind} catalogue"
    assert_valid(kind, document)


def test_cli_tls_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert_valid("tls-transcript", cli_json(capsys, "tls"))


def test_tls_transcripts_across_setups_match() -> None:
    versions = ("1.2", "1.3")
    requests = (
        ("required", "handshake"),
        ("optional", "post_handshake"),
        ("required", "renegotiation"),
    )
    answers = ("accept", "refuse", "ignore")
    checked = set()
    for stack, version, (cert_request, at), certificate, answer in itertools.product(
        ("openssl", "schannel"), versions, requests, ("valid", "none", "untrusted"), answers
    ):
        document = {
            "stack": stack,
            "version": version,
            "alpn": None,
            "server": {"cert_request": cert_request, "request_at": at},
            "client": {"certificate": certificate, "renegotiation": answer},
        }
        try:
            scenario = TlsScenario.from_json(json.dumps(document))
        except hs.InputError:
            continue  # a combination the input format refuses (e.g. PHA over TLS 1.2)
        transcript = run_tls(scenario).to_dict()
        assert_valid("tls-transcript", transcript)
        checked.add((transcript["version"], transcript["server"]["error"] is None))
    assert len(checked) >= 3, checked  # handshakes that worked and failed, in both versions


def test_every_matrix_cell_result_matches() -> None:
    table = hs.matrix(hs.Scenario.seed(), certificates=["valid", "none", "expired"])
    kinds = set()
    for result in table.cells.values():
        document = result.to_dict()
        kinds.add(document["outcome"]["kind"])
        assert_valid("result", document)
    assert len(kinds) >= 3, kinds  # the sample covers several outcome kinds


@settings(max_examples=25, deadline=None)
@given(strategies.scenarios())
def test_drawn_scenarios_results_match(scenario: hs.Scenario) -> None:
    assert_valid("result", hs.simulate(scenario).to_dict())


@pytest.mark.parametrize(
    "server",
    [
        {"host": "kestrel", "client_certificate_mode": "RequireCertificate"},
        {"host": "kestrel", "client_certificate_mode": "DelayCertificate"},
        {"host": "aspnetcore-httpsys", "client_certificate_method": "AllowRenegotation"},
        {"host": "aspnetcore-iis-inprocess"},
        {"host": "aspnetcore-iis-outofprocess"},
    ],
)
def test_every_host_s_result_matches(server: dict[str, str]) -> None:
    scenario = hs.Scenario.from_dict({"server": server})
    result = hs.simulate(scenario)
    document = json.loads(result.to_json(fixes=hs.find_fixes(result)))
    assert_valid("result", document)
    assert document["app_observed"] is not None
