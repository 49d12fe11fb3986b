"""pytest plugin: check your IIS / http.sys configuration against every Windows release.

Loaded automatically when httpsys-sim is installed (entry point ``pytest11``).  It gives:

Fixtures
    ``httpsys_scenario`` — a builder, ``httpsys_scenario(base=None, release=…, client=…,
    access_ssl_flags=…, client_cert_negotiation=…, …) -> Scenario``
    (:func:`httpsys_sim.testing._assertions.build_scenario`);
    ``httpsys_simulate`` — the same keywords (or a Scenario), simulated: ``-> Result``;
    ``httpsys_fake`` — the same keywords, as a :class:`httpsys_sim.testing._fake.FakeHttpSys`;
    ``httpsys_server`` — the same keywords, served: a started real HTTPS endpoint on
    loopback (docs/serve.md), stopped after the test; skips the test when the ``serve``
    extra is not installed;
    ``httpsys_release`` / ``httpsys_client`` / ``httpsys_host`` — the current release (a
    :class:`~httpsys_sim.windows._releases.Release`) / client profile id / host (a ``str``,
    ``kestrel`` or ``kestrel:DelayCertificate``), one test per value (see the markers).  In
    a test that takes them, the three builders default to them.

Markers
    ``@pytest.mark.httpsys_releases("server-2022", "server-2025")`` parametrizes
    ``httpsys_release`` (test ids are release ids; no arguments: every release);
    ``@pytest.mark.httpsys_clients("chrome", "curl")`` likewise ``httpsys_client``;
    ``@pytest.mark.httpsys_hosts("iis", "kestrel:RequireCertificate")`` ``httpsys_host``.  A test
    that takes the fixture without a marker runs for every release / client.

Options
    ``--httpsys-releases=server-2022,server-2025`` and ``--httpsys-clients=edge,curl``
    restrict that parametrization for one run (values not in a test's list are dropped;
    a test left with none is skipped).  Releases may be named by id, product name or build.

Assertions
    :func:`assert_outcome` (from :mod:`httpsys_sim.testing._assertions`) fails with the simulator's
    explanation: the causal chain with rule ids, the steps and the re-simulated fixes.

The module imports nothing of httpsys-sim's model until a fixture, marker or option is used
(and never Hypothesis), so loading the plugin costs no more than importing the package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from httpsys_sim.testing._assertions import ANY, assert_outcome, build_scenario, failure_report

if TYPE_CHECKING:
    from httpsys_sim.core._result import Result
    from httpsys_sim.core._scenario import Scenario
    from httpsys_sim.endpoint._server import Endpoint
    from httpsys_sim.testing._fake import FakeHttpSys
    from httpsys_sim.windows._releases import Release

__all__ = [
    "ANY",
    "assert_outcome",
    "build_scenario",
    "failure_report",
    "httpsys_client",
    "httpsys_fake",
    "httpsys_host",
    "httpsys_release",
    "httpsys_scenario",
    "httpsys_server",
    "httpsys_simulate",
]

_RELEASES_KEY = pytest.StashKey["tuple[str, ...] | None"]()
_CLIENTS_KEY = pytest.StashKey["tuple[str, ...] | None"]()
_HOSTS_KEY = pytest.StashKey["tuple[str, ...] | None"]()

_MARKERS = (
    "httpsys_releases(*releases): run the test once per Windows release (ids, product names "
    "or builds; none = every release), as the httpsys_release fixture; --httpsys-releases "
    "restricts the list",
    "httpsys_clients(*clients): run the test once per client profile id (none = every "
    "profile), as the httpsys_client fixture; --httpsys-clients restricts the list",
    "httpsys_hosts(*hosts): run the test once per host (iis, kestrel, "
    "aspnetcore-httpsys:AllowRenegotation, …; none = every host), as the httpsys_host "
    "fixture; --httpsys-hosts restricts the list",
)


# --------------------------------------------------------------------------------------------
# Names → ids
# --------------------------------------------------------------------------------------------


def _flatten(values: Iterable[object]) -> Iterator[object]:
    for value in values:
        if isinstance(value, (list, tuple, set, frozenset)):
            yield from _flatten(value)
        else:
            yield value


def _release_ids(values: Iterable[object], where: str) -> tuple[str, ...]:
    """Catalogue ids for ``values`` (ids, product names, builds or Release objects)."""
    from httpsys_sim.errors import InputError
    from httpsys_sim.windows._releases import Release, get_release

    ids: list[str] = []
    for value in _flatten(values):
        if isinstance(value, Release):
            ids.append(value.id)
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise pytest.UsageError(f"{where}: {value!r} is not a release id, name or build")
        try:
            release = get_release(value)
        except InputError as exc:
            raise pytest.UsageError(f"{where}: {exc.message} (hint: {exc.hint})") from None
        if release.id not in ids:
            ids.append(release.id)
    return tuple(ids)


def _client_ids(values: Iterable[object], where: str) -> tuple[str, ...]:
    """Client profile ids for ``values``, checked against the catalogue."""
    from httpsys_sim.catalogue._clients import CLIENTS

    ids: list[str] = []
    for value in _flatten(values):
        if not isinstance(value, str) or value not in CLIENTS:
            raise pytest.UsageError(
                f"{where}: unknown client profile {value!r} (hint: one of {', '.join(CLIENTS)})"
            )
        if value not in ids:
            ids.append(value)
    return tuple(ids)


def _host_ids(values: Iterable[object], where: str) -> tuple[str, ...]:
    """Host specs (``host`` or ``host:Setting``), checked against the hosts and settings."""
    ids: list[str] = []
    for value in _flatten(values):
        if not isinstance(value, str):
            raise pytest.UsageError(f"{where}: {value!r} is not a host")
        try:
            _host_keywords(value)
        except ValueError as exc:
            raise pytest.UsageError(f"{where}: {exc}") from None
        if value not in ids:
            ids.append(value)
    return tuple(ids)


def _host_keywords(spec: str) -> dict[str, str]:
    """``kestrel:DelayCertificate`` → build_scenario keywords (ValueError when unknown)."""
    from httpsys_sim.windows._hosts import ClientCertificateMethod, ClientCertificateMode
    from httpsys_sim.windows._iis import Host

    name, _, setting = spec.partition(":")
    hosts = [h.value for h in Host]
    if name not in hosts:
        raise ValueError(f"unknown host {name!r} (hint: one of {', '.join(hosts)})")
    keywords = {"host": name}
    if setting:
        if name == Host.ASPNETCORE_HTTPSYS.value and setting in set(ClientCertificateMethod):
            keywords["client_certificate_method"] = setting
        elif name == Host.KESTREL.value and setting in set(ClientCertificateMode):
            keywords["client_certificate_mode"] = setting
        else:
            raise ValueError(f"host {name!r} has no setting {setting!r}")
    return keywords


def _all_hosts() -> tuple[str, ...]:
    from httpsys_sim.windows._iis import Host

    return tuple(h.value for h in Host)


def _all_releases() -> tuple[str, ...]:
    from httpsys_sim.windows._releases import RELEASES

    return tuple(RELEASES)


def _all_clients() -> tuple[str, ...]:
    from httpsys_sim.catalogue._clients import CLIENTS

    return tuple(CLIENTS)


def _split(option: str | None) -> list[str] | None:
    if option is None:
        return None
    return [part.strip() for part in option.split(",") if part.strip()]


# --------------------------------------------------------------------------------------------
# Hooks
# --------------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--httpsys-releases`` and ``--httpsys-clients``."""
    group = parser.getgroup("httpsys-sim", "httpsys-sim (simulated Windows http.sys)")
    group.addoption(
        "--httpsys-releases",
        metavar="LIST",
        default=None,
        help="comma-separated Windows releases (ids, product names or builds) to keep in "
        "tests parametrized by @pytest.mark.httpsys_releases / the httpsys_release fixture",
    )
    group.addoption(
        "--httpsys-hosts",
        metavar="LIST",
        default=None,
        help="comma-separated hosts to keep in tests parametrized by "
        "@pytest.mark.httpsys_hosts / the httpsys_host fixture",
    )
    group.addoption(
        "--httpsys-clients",
        metavar="LIST",
        default=None,
        help="comma-separated client profile ids to keep in tests parametrized by "
        "@pytest.mark.httpsys_clients / the httpsys_client fixture",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers; read and check the options."""
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    releases = _split(config.getoption("httpsys_releases", None))
    clients = _split(config.getoption("httpsys_clients", None))
    config.stash[_RELEASES_KEY] = (
        None if releases is None else _release_ids(releases, "--httpsys-releases")
    )
    config.stash[_CLIENTS_KEY] = (
        None if clients is None else _client_ids(clients, "--httpsys-clients")
    )
    hosts = _split(config.getoption("httpsys_hosts", None))
    config.stash[_HOSTS_KEY] = None if hosts is None else _host_ids(hosts, "--httpsys-hosts")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say when a run is restricted to some releases or clients."""
    lines = []
    releases = config.stash.get(_RELEASES_KEY, None)
    clients = config.stash.get(_CLIENTS_KEY, None)
    if releases is not None:
        lines.append("httpsys-sim releases: " + (", ".join(releases) or "(none)"))
    if clients is not None:
        lines.append("httpsys-sim clients: " + (", ".join(clients) or "(none)"))
    return lines


def _parametrize(
    metafunc: pytest.Metafunc,
    *,
    fixture: str,
    marker: str,
    restriction: tuple[str, ...] | None,
    resolve: Callable[[Iterable[object], str], tuple[str, ...]],
    everything: Callable[[], tuple[str, ...]],
) -> None:
    requested = fixture in metafunc.fixturenames
    own = [m for m in metafunc.definition.own_markers if m.name == marker]
    if not requested:
        if own:
            pytest.fail(
                f"@pytest.mark.{marker} on {metafunc.definition.name} needs the test to take "
                f"the {fixture!r} fixture",
                pytrace=False,
            )
        return
    mark = metafunc.definition.get_closest_marker(marker)
    where = f"@pytest.mark.{marker} on {metafunc.definition.name}"
    problem = None
    try:
        chosen: tuple[str, ...] = (
            resolve(mark.args, where) if mark is not None and mark.args else everything()
        )
    except pytest.UsageError as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    if restriction is not None:
        kept = tuple(value for value in chosen if value in restriction)
        if not kept:
            option = "--" + marker.replace("_", "-")
            reason = (
                f"{option}={','.join(restriction)} leaves none of this test's "
                f"{fixture} values ({', '.join(chosen)})"
            )
            skipped = pytest.param(None, marks=pytest.mark.skip(reason=reason), id="none")
            metafunc.parametrize(fixture, [skipped], indirect=True)
            return
        chosen = kept
    metafunc.parametrize(fixture, chosen, ids=list(chosen), indirect=True)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``httpsys_release`` / ``httpsys_client`` from the markers and options."""
    config = metafunc.config
    _parametrize(
        metafunc,
        fixture="httpsys_release",
        marker="httpsys_releases",
        restriction=config.stash.get(_RELEASES_KEY, None),
        resolve=_release_ids,
        everything=_all_releases,
    )
    _parametrize(
        metafunc,
        fixture="httpsys_client",
        marker="httpsys_clients",
        restriction=config.stash.get(_CLIENTS_KEY, None),
        resolve=_client_ids,
        everything=_all_clients,
    )
    _parametrize(
        metafunc,
        fixture="httpsys_host",
        marker="httpsys_hosts",
        restriction=config.stash.get(_HOSTS_KEY, None),
        resolve=_host_ids,
        everything=_all_hosts,
    )


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


def _param(request: pytest.FixtureRequest, fixture: str) -> str:
    try:
        value = request.param
    except AttributeError:
        raise pytest.UsageError(
            f"the {fixture!r} fixture is parametrized by the plugin; request it as a test "
            "argument (not with request.getfixturevalue)"
        ) from None
    return str(value)


@pytest.fixture
def httpsys_release(request: pytest.FixtureRequest) -> Release:
    """The Windows release this test instance runs for (see ``@pytest.mark.httpsys_releases``)."""
    from httpsys_sim.windows._releases import get_release

    return get_release(_param(request, "httpsys_release"))


@pytest.fixture
def httpsys_client(request: pytest.FixtureRequest) -> str:
    """The client profile id this test instance runs for (``@pytest.mark.httpsys_clients``)."""
    return _param(request, "httpsys_client")


@pytest.fixture
def httpsys_host(request: pytest.FixtureRequest) -> str:
    """The host this test instance runs for, ``host`` or ``host:Setting``
    (``@pytest.mark.httpsys_hosts``); the builders default to it."""
    return _param(request, "httpsys_host")


def _defaults(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The current ``httpsys_release`` / ``httpsys_client`` when the test takes them."""
    defaults: dict[str, Any] = {}
    if "httpsys_release" in request.fixturenames:
        defaults["release"] = request.getfixturevalue("httpsys_release")
    if "httpsys_client" in request.fixturenames:
        defaults["client"] = request.getfixturevalue("httpsys_client")
    if "httpsys_host" in request.fixturenames:
        defaults.update(_host_keywords(request.getfixturevalue("httpsys_host")))
    return defaults


def _short(defaults: dict[str, Any]) -> str:
    return repr({name: getattr(value, "id", value) for name, value in defaults.items()})


class _Builder:
    """``httpsys_scenario``: :func:`~httpsys_sim.testing._assertions.build_scenario` with the test's
    current release and client as defaults."""

    def __init__(self, defaults: dict[str, Any]) -> None:
        self.defaults = defaults

    def __call__(self, base: Any = None, /, **keywords: Any) -> Scenario:
        merged = dict(self.defaults)
        merged.update(keywords)
        return build_scenario(base, **merged)

    def __repr__(self) -> str:
        return f"httpsys_scenario(defaults={_short(self.defaults)})"


class _Simulator:
    """``httpsys_simulate``: build like ``httpsys_scenario``, then simulate."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder

    def __call__(self, base: Any = None, /, **keywords: Any) -> Result:
        from httpsys_sim.core._engine import simulate

        return simulate(self.builder(base, **keywords))

    def __repr__(self) -> str:
        return f"httpsys_simulate(defaults={_short(self.builder.defaults)})"


class _FakeFactory:
    """``httpsys_fake``: build like ``httpsys_scenario``, then wrap in a FakeHttpSys."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder

    def __call__(self, base: Any = None, /, **keywords: Any) -> FakeHttpSys:
        from httpsys_sim.testing._fake import FakeHttpSys

        return FakeHttpSys(self.builder(base, **keywords))

    def __repr__(self) -> str:
        return f"httpsys_fake(defaults={_short(self.builder.defaults)})"


@pytest.fixture
def httpsys_scenario(request: pytest.FixtureRequest) -> _Builder:
    """Build a :class:`~httpsys_sim.core._scenario.Scenario` from keywords.

    ``httpsys_scenario(release="server-2025", client="chrome",
    access_ssl_flags="Ssl,SslNegotiateCert", client_cert_negotiation=False)``; the first
    argument may be a base scenario (or its scenario JSON, a dict or text).  Keywords left out keep
    the base's values — or, in a test parametrized by ``httpsys_release`` /
    ``httpsys_client``, the current release and client.
    """
    return _Builder(_defaults(request))


@pytest.fixture
def httpsys_simulate(httpsys_scenario: _Builder) -> _Simulator:
    """``httpsys_simulate(base=None, **keywords) -> Result``: build, then simulate."""
    return _Simulator(httpsys_scenario)


@pytest.fixture
def httpsys_fake(httpsys_scenario: _Builder) -> _FakeFactory:
    """``httpsys_fake(base=None, **keywords) -> FakeHttpSys``: a fake HTTP.sys for the
    scenario (see :mod:`httpsys_sim.testing._fake`)."""
    return _FakeFactory(httpsys_scenario)


class _ServerFactory:
    """``httpsys_server(base=None, **keywords) -> Endpoint``, each one stopped at teardown."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.started: list[Endpoint] = []

    def __call__(
        self, base: Any = None, /, *, port: int = 0, timeout: float = 10.0, **keywords: Any
    ) -> Endpoint:
        # Imported here, never when the plugin loads: the serve extra is optional.
        from httpsys_sim.endpoint import ServeExtraMissing, load_endpoint

        try:
            endpoint_class = load_endpoint()
        except ServeExtraMissing as exc:
            pytest.skip(str(exc))
        endpoint = endpoint_class(self.builder(base, **keywords), port=port, timeout=timeout)
        endpoint.start()
        self.started.append(endpoint)
        return endpoint

    def stop_all(self) -> None:
        while self.started:
            self.started.pop().stop()

    def __repr__(self) -> str:
        return f"httpsys_server(defaults={_short(self.builder.defaults)})"


@pytest.fixture
def httpsys_server(httpsys_scenario: _Builder) -> Iterator[_ServerFactory]:
    """``httpsys_server(base=None, **keywords) -> Endpoint``: a real HTTPS endpoint on
    127.0.0.1 acting out the scenario (``.url``, ``.ready()``, ``.connections()``); every
    endpoint started is stopped after the test.  Skips when the serve extra is missing."""
    factory = _ServerFactory(httpsys_scenario)
    try:
        yield factory
    finally:
        factory.stop_all()
