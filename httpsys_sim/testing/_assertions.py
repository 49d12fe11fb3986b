"""Helpers for your own test suites: build scenarios tersely, assert outcomes readably.

Nothing here imports pytest (or Hypothesis): the helpers work under any test runner.  The
pytest plugin (:mod:`httpsys_sim.testing._pytest_plugin`) hands them out as fixtures.

* :func:`build_scenario` — a :class:`~httpsys_sim.core._scenario.Scenario` from keywords
  (``release="server-2025", client="chrome", access_ssl_flags="Ssl,SslNegotiateCert",
  client_cert_negotiation=False``), optionally on top of a base scenario.
* :func:`assert_outcome` — checks a :class:`~httpsys_sim.core._result.Result` (or a whole matrix
  of them) and, when it does not match, raises :class:`AssertionError` whose message is the
  simulator's own account: the causal chain with rule ids and sources, every step, and the
  re-simulated fixes; failures across many results are grouped by distinct outcome.
* :func:`failure_report` — that account as text, for your own assertion helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, overload

if TYPE_CHECKING:
    from httpsys_sim.analysis._matrix import Matrix
    from httpsys_sim.core._result import IisLogLine, Outcome, OutcomeKind, Result
    from httpsys_sim.core._scenario import Scenario
    from httpsys_sim.tls import CertState
    from httpsys_sim.windows._binding import SslBinding
    from httpsys_sim.windows._iis import AccessSslFlag, Host
    from httpsys_sim.windows._releases import Release
    from httpsys_sim.windows._schannel import SchannelSettings

__all__ = [
    "ANY",
    "ScenarioFactory",
    "SimulateFactory",
    "assert_outcome",
    "build_scenario",
    "failure_report",
]

#: A callable with :func:`build_scenario`'s signature (the ``httpsys_scenario`` fixture).
ScenarioFactory: TypeAlias = Callable[..., "Scenario"]
#: A callable that builds a scenario like :func:`build_scenario` and simulates it (the
#: ``httpsys_simulate`` fixture).
SimulateFactory: TypeAlias = Callable[..., "Result"]


class _Marker:
    """A named stand-in for :func:`assert_outcome`'s ``status`` (see :data:`ANY`)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


#: Pass as ``status=ANY`` to :func:`assert_outcome` to leave the status unchecked (``None``
#: means "no HTTP status at all", e.g. a reset).
ANY: Final = _Marker("ANY")
#: ``status``'s default: 200, unless ``kind`` names something other than an HTTP response.
_DEFAULT_STATUS: Final = _Marker("200")


# --------------------------------------------------------------------------------------------
# Building scenarios
# --------------------------------------------------------------------------------------------


def build_scenario(
    base: Scenario | Mapping[str, Any] | str | bytes | None = None,
    /,
    *,
    release: Release | str | int | None = None,
    host: Host | str | None = None,
    client: str | None = None,
    certificate: CertState | str | None = None,
    client_overrides: Mapping[str, Any] | None = None,
    access_ssl_flags: AccessSslFlag | int | str | Sequence[str] | None = None,
    client_cert_negotiation: bool | None = None,
    binding: SslBinding | Mapping[str, Any] | None = None,
    site_binding_ssl_flags: int | None = None,
    schannel: SchannelSettings | Mapping[str, Any] | None = None,
    http3: bool | None = None,
    path: str | None = None,
    method: str | None = None,
    body_bytes: int | None = None,
    scheme: Literal["https", "http"] | None = None,
    client_certificate_method: str | None = None,
    client_certificate_mode: str | None = None,
    **binding_changes: Any,
) -> Scenario:
    """A scenario from keywords; every keyword left at ``None`` keeps the base's value.

    ``base`` is a :class:`~httpsys_sim.core._scenario.Scenario`, a scenario document (a dict,
    or its JSON text) or ``None`` for the seed scenario (Windows 11 24H2, IIS Express,
    ``SslNegotiateCert``, the pre-registered 44300 binding, Edge with a valid certificate).

    ``release`` takes an id, a product name or a build number; ``client`` a profile id;
    ``certificate`` one of ``valid``, ``none``, ``expired``, ``revoked``, ``untrusted``;
    ``access_ssl_flags`` what IIS writes (``"Ssl,SslNegotiateCert"``), a list of names or the
    integer; ``client_overrides`` capability fields of
    :class:`~httpsys_sim.core._scenario.ClientSetup` (``{"offers_pha": False}``); ``schannel`` a
    :class:`~httpsys_sim.windows._schannel.SchannelSettings` or its scenario-JSON object
    (``{"disable_reneg_on_server": True}``).  Any other keyword is an http.sys binding switch
    (``disable_tls13=True``, ``disable_http2=True``, … — the fields of
    :class:`~httpsys_sim.windows._binding.SslBinding`).
    Changing ``host`` without a ``binding`` moves a default binding to the new host's default
    (IIS Express's ``0.0.0.0:44300`` ↔ IIS's ``0.0.0.0:443``); ``kestrel`` always gets its
    own (it has no http.sys binding).  ``client_certificate_method`` (``aspnetcore-httpsys``)
    and ``client_certificate_mode`` (``kestrel``) set the ASP.NET Core hosts' own setting
    (docs/concepts.md#hosts); a host change drops the other hosts' settings.

    Unknown ids raise :class:`~httpsys_sim.errors.InputError`; unknown keywords ``TypeError``.
    """
    import attrs

    from httpsys_sim.core._scenario import default_binding
    from httpsys_sim.tls import CertState
    from httpsys_sim.windows._binding import SslBinding
    from httpsys_sim.windows._iis import Host, SiteBindingSslFlag

    scenario = _base(base)
    server = scenario.server
    if release is not None:
        scenario = scenario.with_release(release if not isinstance(release, int) else str(release))
        server = scenario.server
    changes: dict[str, Any] = {}
    if host is not None:
        new_host = Host(host)
        changes["host"] = new_host
        if new_host is not server.host:
            changes["client_certificate_method"] = None
            changes["client_certificate_mode"] = None
        if binding is None and (
            new_host is Host.KESTREL or server.binding == default_binding(server.host)
        ):
            changes["binding"] = default_binding(new_host)
    if client_certificate_method is not None:
        changes["client_certificate_method"] = client_certificate_method
    if client_certificate_mode is not None:
        changes["client_certificate_mode"] = client_certificate_mode
    if binding is not None:
        changes["binding"] = (
            binding if isinstance(binding, SslBinding) else SslBinding.from_dict(binding)
        )
    if access_ssl_flags is not None:
        from httpsys_sim.windows._iis import parse_access_ssl_flags

        changes["access_ssl_flags"] = parse_access_ssl_flags(access_ssl_flags)
    if site_binding_ssl_flags is not None:
        changes["site_binding_ssl_flags"] = SiteBindingSslFlag(site_binding_ssl_flags)
    if schannel is not None:
        from httpsys_sim.windows._schannel import SchannelSettings

        changes["schannel"] = (
            schannel
            if isinstance(schannel, SchannelSettings)
            else SchannelSettings.from_dict(schannel)
        )
    if http3 is not None:
        changes["http3"] = http3
    if changes:
        scenario = attrs.evolve(scenario, server=attrs.evolve(server, **changes))

    known = {f.name for f in attrs.fields(SslBinding)}
    unknown = sorted(set(binding_changes) - known)
    if unknown:
        raise TypeError(
            f"build_scenario() got an unexpected keyword argument {unknown[0]!r} "
            "(extra keywords are http.sys binding fields: " + ", ".join(sorted(known)) + ")"
        )
    if client_cert_negotiation is not None:
        binding_changes["client_cert_negotiation"] = client_cert_negotiation
    if binding_changes:
        scenario = scenario.with_binding(**binding_changes)

    if client is not None or certificate is not None:
        scenario = scenario.with_client(
            scenario.client.profile if client is None else client,
            None if certificate is None else CertState(certificate),
        )
    if client_overrides:
        scenario = _override_client(scenario, client_overrides)

    request: dict[str, Any] = {
        name: value
        for name, value in (
            ("path", path),
            ("method", None if method is None else method.upper()),
            ("body_bytes", body_bytes),
            ("scheme", scheme),
        )
        if value is not None
    }
    if request:
        scenario = attrs.evolve(scenario, request=attrs.evolve(scenario.request, **request))
    return scenario


def _override_client(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """Apply ``overrides`` through the scenario JSON reader, so ``"refuse"`` or ``"1.2"`` work as
    well as the enum values (and bad values are :class:`InputError`)."""
    import enum

    from httpsys_sim.core._scenario import Scenario
    from httpsys_sim.tls import AlertLevel

    def plain(value: object) -> object:
        if isinstance(value, AlertLevel):
            return value.name.lower()
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        return value

    document = scenario.to_dict()
    document["client"].update({name: plain(value) for name, value in overrides.items()})
    return Scenario.from_dict(document, filename="client_overrides")


def _base(base: Scenario | Mapping[str, Any] | str | bytes | None) -> Scenario:
    from httpsys_sim.core._scenario import Scenario

    if base is None:
        return Scenario()
    if isinstance(base, Scenario):
        return base
    if isinstance(base, (str, bytes)):
        return Scenario.from_json(base)
    if isinstance(base, Mapping):
        return Scenario.from_dict(dict(base))
    raise TypeError(
        f"base must be a Scenario, a scenario document (dict or JSON text) or None, not {base!r}"
    )


# --------------------------------------------------------------------------------------------
# Asserting outcomes
# --------------------------------------------------------------------------------------------


def _kind_value(kind: OutcomeKind | str | type[Outcome]) -> str:
    from httpsys_sim.core import _result as r

    if isinstance(kind, type):
        classes: dict[type[r.Outcome], r.OutcomeKind] = {
            r.HttpResponse: r.OutcomeKind.HTTP_RESPONSE,
            r.ConnectionReset: r.OutcomeKind.CONNECTION_RESET,
            r.TlsAlert: r.OutcomeKind.TLS_ALERT,
            r.Http2Error: r.OutcomeKind.HTTP2_ERROR,
            r.NoCommonProtocol: r.OutcomeKind.NO_COMMON_PROTOCOL,
            r.Timeout: r.OutcomeKind.TIMEOUT,
        }
        for klass, value in classes.items():
            if issubclass(kind, klass):
                return value.value
        raise TypeError(f"kind must be an Outcome subclass such as ConnectionReset, not {kind!r}")
    return r.OutcomeKind(kind).value


def _expected_text(expected: Mapping[str, object]) -> str:
    parts: list[str] = []
    kind = expected.get("kind")
    status = expected.get("status", ANY)
    if kind is not None and kind != "http_response":
        parts.append(str(kind))
    elif status is not ANY and status is not None:
        sub = expected.get("substatus")
        parts.append(f"HTTP {status}" + ("" if sub is None else f".{sub}"))
    elif kind is not None:
        parts.append("an HTTP response")
    if "win32_status" in expected:
        parts.append(f"win32 status {expected['win32_status']}")
    reached = expected.get("certificate_reached_app")
    if reached is True:
        parts.append("the client certificate reaching the application")
    elif reached is False:
        parts.append("no client certificate reaching the application")
    if "rule" in expected:
        parts.append(f"decided by {expected['rule']}")
    if "client_error" in expected:
        parts.append(f"the client showing {expected['client_error']!r}")
    return ", ".join(parts) or "anything"


def _expectation(
    *,
    status: int | _Marker | None,
    substatus: int | None,
    kind: OutcomeKind | str | type[Outcome] | None,
    certificate_reached_app: bool | None,
    win32_status: int | None,
    rule: str | None,
    client_error: str | None,
) -> dict[str, object]:
    expected: dict[str, object] = {}
    if kind is not None:
        expected["kind"] = _kind_value(kind)
    if status is _DEFAULT_STATUS:
        non_response = kind is not None and expected["kind"] != "http_response"
        status = ANY if non_response else 200
    if status is not ANY:
        expected["status"] = status
    if substatus is not None:
        expected["substatus"] = substatus
    if certificate_reached_app is not None:
        expected["certificate_reached_app"] = certificate_reached_app
    if win32_status is not None:
        expected["win32_status"] = win32_status
    if rule is not None:
        expected["rule"] = rule
    if client_error is not None:
        expected["client_error"] = client_error
    return expected


def _mismatches(result: Result, expected: Mapping[str, object]) -> list[str]:
    outcome = result.outcome
    actual: dict[str, object] = {
        "kind": outcome.kind.value,
        "status": outcome.status,
        "substatus": outcome.substatus,
        "certificate_reached_app": result.certificate_reached_app,
        "win32_status": outcome.win32_status,
        "rule": outcome.rule,
        "client_error": outcome.client_error,
    }
    mismatches: list[str] = []
    for name, want in expected.items():
        got = actual[name]
        if name == "client_error":
            if not isinstance(got, str) or str(want) not in got:
                mismatches.append(f"client_error: expected text containing {want!r}, got {got!r}")
        elif got != want:
            mismatches.append(f"{name}: expected {want!r}, got {got!r}")
    return mismatches


#: How many results a grouped failure message names per distinct outcome.
_CELLS_NAMED: Final = 6


def _label(result: Result) -> str:
    """Where a result sits in a sweep: release · client · certificate."""
    s = result.scenario
    return f"{s.server.release.id} · {s.client.profile} · {s.client.certificate.value}"


def _results(results: Matrix | Iterable[Result]) -> tuple[Result, ...]:
    cells = getattr(results, "cells", None)
    if isinstance(cells, Mapping):
        return tuple(cells.values())
    return tuple(results)  # type: ignore[arg-type]


def _grouped_report(
    results: Sequence[Result],
    failures: Sequence[tuple[Result, list[str]]],
    expected: Mapping[str, object],
    verbosity: int,
) -> str:
    """One line per distinct outcome among ``failures``, then the full story of the first
    failure (``verbosity`` 1), of the first of each outcome (2) or of every failure (3)."""
    groups: dict[tuple[str, str], list[tuple[Result, list[str]]]] = {}
    for failure in failures:
        o = failure[0].outcome
        groups.setdefault((o.describe(), o.rule), []).append(failure)
    lines = [
        f"httpsys-sim: {len(failures)} of {len(results)} simulated outcomes are not what the "
        f"test expects ({_expected_text(expected)}); {len(groups)} distinct outcome"
        + ("s" if len(groups) != 1 else "")
        + ":"
    ]
    for (describe, rule), members in groups.items():
        named = ", ".join(_label(r) for r, _ in members[:_CELLS_NAMED])
        more = len(members) - _CELLS_NAMED
        lines.append(f"  {len(members):>4} × {describe} [{rule}]")
        lines.append(f"         {named}" + (f", … and {more} more" if more > 0 else ""))
    if verbosity <= 0:
        lines.append("(verbosity=1 shows the first failure's full account)")
        return "\n".join(lines)
    if verbosity == 1:
        stories = [failures[0]]
    elif verbosity == 2:
        stories = [members[0] for members in groups.values()]
    else:
        stories = list(failures)
    for n, (result, mismatches) in enumerate(stories, 1):
        lines += [
            "",
            f"--- {n} of {len(stories)}: {_label(result)} "
            + "-" * max(0, 60 - len(_label(result))),
        ]
        lines.append(failure_report(result, expected=expected, mismatches=mismatches))
    if verbosity < 3 and len(failures) > len(stories):
        lines += ["", f"(verbosity={verbosity + 1} shows more of the {len(failures)} failures)"]
    return "\n".join(lines)


@overload
def assert_outcome(
    result: Result,
    *,
    status: int | _Marker | None = ...,
    substatus: int | None = ...,
    kind: OutcomeKind | str | type[Outcome] | None = ...,
    certificate_reached_app: bool | None = ...,
    win32_status: int | None = ...,
    rule: str | None = ...,
    client_error: str | None = ...,
    verbosity: int = ...,
) -> Result: ...


@overload
def assert_outcome(
    result: Matrix | Iterable[Result],
    *,
    status: int | _Marker | None = ...,
    substatus: int | None = ...,
    kind: OutcomeKind | str | type[Outcome] | None = ...,
    certificate_reached_app: bool | None = ...,
    win32_status: int | None = ...,
    rule: str | None = ...,
    client_error: str | None = ...,
    verbosity: int = ...,
) -> tuple[Result, ...]: ...


def assert_outcome(
    result: Result | Matrix | Iterable[Result],
    *,
    status: int | _Marker | None = _DEFAULT_STATUS,
    substatus: int | None = None,
    kind: OutcomeKind | str | type[Outcome] | None = None,
    certificate_reached_app: bool | None = None,
    win32_status: int | None = None,
    rule: str | None = None,
    client_error: str | None = None,
    verbosity: int = 1,
) -> Result | tuple[Result, ...]:
    """Check ``result`` — one result, or many: a :class:`~httpsys_sim.analysis._matrix.Matrix`
    or any iterable of results — and on a mismatch raise :class:`AssertionError` explaining
    the outcome.

    ``status`` is the HTTP status (default 200).  When ``kind`` names something other than
    an HTTP response (``"connection_reset"``, :class:`~httpsys_sim.core._result.ConnectionReset`,
    :attr:`OutcomeKind.TLS_ALERT <httpsys_sim.core._result.OutcomeKind>` …) and ``status`` is left
    at its default, the status is not checked; pass ``status=ANY`` to skip it otherwise.
    ``substatus``, ``certificate_reached_app``, ``win32_status``, ``rule`` (the rule that
    decided the outcome) and ``client_error`` (a substring of what the client shows) are
    checked only when given.

    For one result the failure message is :func:`failure_report`: what was expected, what
    came out, the causal chain with rule ids and sources, every step, and the fixes — each
    re-simulated — that would make the request succeed (``verbosity=0``: without the steps
    and fixes).  For many results the failures are grouped: one line per distinct outcome
    with the results (release · client · certificate) that got it, then the full account
    of the first failure only.  ``verbosity`` chooses how much follows the summary:
    0 nothing, 1 the first failure (default), 2 the first of each distinct outcome, 3 every
    failure.

    Returns ``result`` (for many results: the tuple of results checked) so calls chain.
    """
    __tracebackhide__ = True
    expected = _expectation(
        status=status,
        substatus=substatus,
        kind=kind,
        certificate_reached_app=certificate_reached_app,
        win32_status=win32_status,
        rule=rule,
        client_error=client_error,
    )
    from httpsys_sim.core._result import Result

    if isinstance(result, Result):
        mismatches = _mismatches(result, expected)
        if mismatches:
            detail = verbosity > 0
            raise AssertionError(
                failure_report(
                    result, expected=expected, mismatches=mismatches, steps=detail, fixes=detail
                )
            )
        return result
    results = _results(result)
    failures = [(r, m) for r in results if (m := _mismatches(r, expected))]
    if failures:
        raise AssertionError(_grouped_report(results, failures, expected, verbosity))
    return results


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def failure_report(
    result: Result,
    *,
    expected: Mapping[str, object] | None = None,
    mismatches: Sequence[str] = (),
    steps: bool = True,
    fixes: bool = True,
) -> str:
    """The simulator's account of ``result`` for a failed expectation.

    Sections: the expectation and the mismatching fields; the scenario; the causal chain
    (:meth:`Result.explain() <httpsys_sim.core._result.Result.explain>`: each link with its rule
    id, confidence and sources, and the alternatives where the model is unsure); every
    step with its rule id (``steps=False`` leaves them out); the fixes
    (:func:`~httpsys_sim.find_fixes`), each re-simulated, with the
    exact commands (``fixes=False`` leaves them out).
    """
    from httpsys_sim.catalogue._rules import get_rule
    from httpsys_sim.core._fixes import find_fixes

    o = result.outcome
    lines = ["httpsys-sim: the simulated outcome is not what the test expects."]
    if expected is not None:
        lines.append(f"  expected: {_expected_text(expected)}")
    lines.append(f"  got:      {o.describe()} [{o.rule}]")
    lines += [f"    - {m}" for m in mismatches]
    if o.client_error:
        lines.append(f"  client shows: {o.client_error}")
    log = result.iis_log
    lines.append(
        "  IIS log: "
        + ("no W3C line" if log is None else _log_text(log))
        + ("" if result.httperr is None else f" · HTTPERR: {result.httperr}")
    )
    lines.append(
        "  certificate reached the application: "
        + ("yes" if result.certificate_reached_app else "no")
    )
    lines.append(f"  scenario: {result.scenario.describe()}")
    lines += ["", "Why (the causal chain; rule id, confidence, sources):"]
    lines += ["  " + line for line in result.explain().splitlines()]
    if steps:
        lines += ["", "What happened, step by step (* = part of the causal chain):"]
        width = max((len(s.rule) for s in result.steps), default=0)
        for n, step in enumerate(result.steps, 1):
            mark = "*" if step.key else " "
            lines.append(f" {mark}{n:>3}. [{step.rule:<{width}}] {step.actor}: {step.event}")
    if fixes:
        found = find_fixes(result)
        lines.append("")
        if found:
            lines.append("Fixes (each re-simulated with the change applied):")
            for n, fix in enumerate(found, 1):
                rule = get_rule(fix.rule)
                lines.append(
                    f"  {n}. {fix.title} → {fix.outcome} [{rule.id}, {rule.confidence.value}]"
                )
                lines += [f"       {command}" for command in fix.commands]
                if fix.note:
                    lines.append(f"       note: {fix.note}")
        else:
            lines.append(
                "Fixes: none proposed — the simulator sees no failed certificate exchange here "
                "(its fixes aim at getting a valid client certificate to the application)."
            )
    return "\n".join(lines)


def _log_text(log: IisLogLine) -> str:
    return f"sc-status {log.status} sc-substatus {log.substatus} sc-win32-status {log.win32_status}"
