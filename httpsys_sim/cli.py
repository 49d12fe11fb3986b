"""The ``httpsys-sim`` command line (docs/cli.md).

Exit status: 0 when the simulation ran (whatever its outcome), 2 for bad input with a
one-line message naming the file, line and field at fault — never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, NoReturn

import attrs

from httpsys_sim import __version__
from httpsys_sim._completion import SHELLS, completion_script, set_completer
from httpsys_sim.errors import HttpsysSimError, InputError, quote

if TYPE_CHECKING:
    from httpsys_sim.views._terminal import Terminal

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

#: Largest input file read (docs/formats.md#limits).
MAX_INPUT_BYTES = 16 * 1024 * 1024
#: Longest command-line value accepted (docs/formats.md#limits).
MAX_ARG_CHARS = 4096
#: Most items in a comma-separated list option (``--releases``, ``--clients``, …).
MAX_LIST_ITEMS = 64


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> NoReturn:
        raise InputError(message, hint=f"see `{self.prog} --help`")


# --- input: every value from the command line and every file goes through here --------------


def _check_args(args: argparse.Namespace) -> None:
    """Refuse empty, over-long, undecodable or control-character values of any option."""
    for name, value in vars(args).items():
        if not isinstance(value, str) or name == "command":
            continue
        option = "--" + name.replace("_", "-")
        if value == "":
            raise InputError(
                "empty value", field=option, hint="give a value, or leave the option out"
            )
        if len(value) > MAX_ARG_CHARS:
            raise InputError(
                f"a value of {len(value)} characters is too long: {quote(value)}",
                field=option,
                hint=f"at most {MAX_ARG_CHARS} characters (docs/formats.md#limits)",
            )
        bad = next((c for c in value if "\ud800" <= c <= "\udfff"), None)
        if bad is not None:
            # Undecodable argv bytes arrive as U+DC80…U+DCFF (PEP 383).
            what = (
                f"byte 0x{ord(bad) - 0xDC00:02X}"
                if "\udc80" <= bad <= "\udcff"
                else f"U+{ord(bad):04X}"
            )
            raise InputError(
                f"not valid UTF-8 ({what}): {quote(value)}",
                field=option,
                hint="pass UTF-8 text",
            )
        bad = next((c for c in value if c < " " or "\x7f" <= c <= "\x9f"), None)
        if bad is not None:
            raise InputError(
                f"holds a control character (U+{ord(bad):04X}): {quote(value)}",
                field=option,
                hint="remove it",
            )


def _read_input(path: str) -> tuple[bytes, str]:
    """The bytes of ``path`` (``-``: stdin), size-capped, never blocking on a FIFO."""
    from httpsys_sim._io import read_input

    return read_input(path)


# --- output: everything printed or saved goes through here ----------------------------------


def _write(text: str, out: str | None = None, *, fmt: str = "text", colour: bool = False) -> None:
    """Escape control characters, encode, and write to ``out`` (atomically) or stdout."""
    from httpsys_sim._io import escape_controls, escape_json, write_output

    text = escape_json(text) if fmt == "json" else escape_controls(text, keep_sgr=colour)
    write_output(out, text.encode("utf-8", "backslashreplace"))


def _emit(
    args: argparse.Namespace, formats: dict[str, Callable[[], str]], *, colour: bool = False
) -> int:
    """Render the chosen ``--format`` and write it to ``--output`` or stdout."""
    _write(formats[args.format](), args.output, fmt=args.format, colour=colour)
    return EXIT_OK


# --- simulate ---------------------------------------------------------------------------


def _release_ids() -> list[str]:
    from httpsys_sim.windows._releases import RELEASES

    return list(RELEASES)


def _client_ids() -> list[str]:
    from httpsys_sim.catalogue._clients import CLIENTS

    return list(CLIENTS)


def _one_release(value: str) -> str:
    """``--release``/``--releases`` where one release is meant (simulate, diagnose)."""
    if "," in value:
        raise argparse.ArgumentTypeError(
            f"{value!r}: this command takes one release; "
            "`httpsys-sim matrix --releases A,B` compares several"
        )
    return value


#: The five certificate states a client can hold.
_CERTIFICATES = ("valid", "none", "expired", "revoked", "untrusted")


def _add_scenario_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("scenario overrides (applied on top of --scenario or the seed)")
    set_completer(
        g.add_argument(
            "--release",
            "--releases",
            dest="release",
            metavar="ID",
            type=_one_release,
            help="the server's Windows release: an id, product name or build "
            "(e.g. server-2025, 'Windows 11 24H2', 26100; see `httpsys-sim releases`)",
        ),
        _release_ids,
    )
    g.add_argument(
        "--host",
        choices=[
            "iis",
            "iis-express",
            "aspnetcore-httpsys",
            "aspnetcore-iis-inprocess",
            "aspnetcore-iis-outofprocess",
            "kestrel",
        ],
        help="the server (e.g. --host kestrel; docs/concepts.md#hosts says which asks when)",
    )
    g.add_argument(
        "--client-certificate-method",
        choices=["NoCertificate", "AllowCertificate", "AllowRenegotation"],
        help="aspnetcore-httpsys only: HttpSysOptions.ClientCertificateMethod "
        "(e.g. AllowRenegotation)",
    )
    g.add_argument(
        "--client-certificate-mode",
        choices=["NoCertificate", "AllowCertificate", "RequireCertificate", "DelayCertificate"],
        help="kestrel only: ClientCertificateMode (e.g. RequireCertificate)",
    )
    set_completer(
        g.add_argument(
            "--client",
            metavar="ID",
            help="client profile id (e.g. curl, firefox-pha; see `httpsys-sim clients`)",
        ),
        _client_ids,
    )
    g.add_argument(
        "--certificate",
        choices=_CERTIFICATES,
        help="the client's certificate (e.g. --certificate none: it has none to send)",
    )
    g.add_argument(
        "--access-ssl-flags",
        metavar="FLAGS",
        help='IIS <access sslFlags>, as IIS writes them (e.g. "Ssl,SslNegotiateCert")',
    )
    g.add_argument(
        "--client-cert-negotiation",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="netsh clientcertnegotiation on the binding: ask for the certificate in the "
        "initial handshake",
    )
    g.add_argument(
        "--disable-tls13",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="netsh disabletls13 on the binding (e.g. --disable-tls13 to renegotiate over "
        "TLS 1.2 instead)",
    )
    g.add_argument(
        "--disable-http2",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="netsh disablehttp2 on the binding: offer HTTP/1.1 only",
    )
    g.add_argument("--path", help="request path (e.g. /admin)")
    g.add_argument("--body-bytes", type=int, metavar="N", help="request body size in bytes")


def _scenario_from_args(args: argparse.Namespace) -> object:
    from httpsys_sim.core._scenario import ClientSetup, Scenario, default_binding
    from httpsys_sim.tls import CertState
    from httpsys_sim.windows._iis import Host, parse_access_ssl_flags
    from httpsys_sim.windows._releases import get_release

    if getattr(args, "scenario", None):
        data, name = _read_input(args.scenario)
        scenario = Scenario.from_json(data, filename=name)
    else:
        scenario = Scenario.seed()
    server, client, request = scenario.server, scenario.client, scenario.request
    if args.release:
        server = attrs.evolve(server, release=get_release(args.release, field="--release"))
    if args.host:
        host = Host(args.host)
        keep = (
            server.binding
            if (host is Host.IIS_EXPRESS) == (server.host is Host.IIS_EXPRESS)
            else None
        )
        server = attrs.evolve(
            server,
            host=host,
            binding=keep
            if keep is not None and host is not Host.KESTREL
            else default_binding(host),
            client_certificate_method=None,
            client_certificate_mode=None,
        )
    for flag, name in (
        ("--client-certificate-method", "client_certificate_method"),
        ("--client-certificate-mode", "client_certificate_mode"),
    ):
        value = getattr(args, name, None)
        if value is not None:
            try:
                server = attrs.evolve(server, **{name: value})
            except InputError as exc:
                raise InputError(exc.message, field=flag, hint=exc.hint) from None
    if args.access_ssl_flags is not None:
        server = attrs.evolve(
            server,
            access_ssl_flags=parse_access_ssl_flags(
                args.access_ssl_flags, field="--access-ssl-flags"
            ),
        )
    changes = {
        name: getattr(args, name)
        for name in ("client_cert_negotiation", "disable_tls13", "disable_http2")
        if getattr(args, name) is not None
    }
    if changes:
        server = attrs.evolve(server, binding=attrs.evolve(server.binding, **changes))
    if args.client:
        try:
            client = attrs.evolve(client, profile=args.client)
        except InputError as exc:
            raise InputError(exc.message, field="--client", hint=exc.hint) from None
    if args.certificate:
        client = attrs.evolve(client, certificate=CertState(args.certificate))
    if args.path:
        if not args.path.startswith("/"):
            raise InputError(
                f"{quote(args.path)} does not start with '/'", field="--path", hint="e.g. /admin"
            )
        request = attrs.evolve(request, path=args.path)
    if args.body_bytes is not None:
        if not 0 <= args.body_bytes <= 2**53:
            raise InputError(
                f"{args.body_bytes} is out of range", field="--body-bytes", hint="0 to 2**53"
            )
        request = attrs.evolve(request, body_bytes=args.body_bytes)
    assert isinstance(client, ClientSetup)
    return Scenario(server=server, client=client, request=request)


def _cmd_simulate(args: argparse.Namespace) -> int:
    from httpsys_sim.core._engine import simulate
    from httpsys_sim.core._fixes import Fix, find_fixes
    from httpsys_sim.core._scenario import Scenario
    from httpsys_sim.views._markdown import result_markdown
    from httpsys_sim.views._mermaid import result_mermaid
    from httpsys_sim.views._text import result_text

    scenario = _scenario_from_args(args)
    assert isinstance(scenario, Scenario)
    result = simulate(scenario)
    term = _terminal(args)

    def remedies() -> tuple[Fix, ...]:
        return find_fixes(result)

    return _emit(
        args,
        {
            "text": lambda: result_text(result, fixes=remedies(), width=term.width),
            "json": lambda: result.to_json(fixes=remedies()),
            "markdown": lambda: result_markdown(result, fixes=remedies()),
            "mermaid": lambda: result_mermaid(result),
        },
    )


# --- matrix -------------------------------------------------------------------------------


def _split(value: str | None, option: str) -> list[str] | None:
    """A comma-separated list option: ``None`` or ``all`` mean every one."""
    if value is None or value.strip() == "all":
        return None
    items = [v.strip() for v in value.split(",")]
    if not any(items):
        raise InputError(
            f"empty selection {quote(value)}", field=option, hint="name at least one, or all"
        )
    if "" in items:
        raise InputError(
            f"empty item {items.index('') + 1} in {quote(value)}",
            field=option,
            hint="remove the stray comma",
        )
    if len(items) > MAX_LIST_ITEMS:
        raise InputError(
            f"{len(items)} items is too many",
            field=option,
            hint=f"at most {MAX_LIST_ITEMS} (docs/formats.md#limits)",
        )
    seen: set[str] = set()
    for item in items:
        if item.casefold() in seen:
            raise InputError(f"{quote(item)} is listed twice", field=option, hint="list it once")
        seen.add(item.casefold())
    return items


def _cmd_matrix(args: argparse.Namespace) -> int:
    from httpsys_sim.analysis._hosts_matrix import HostMatrix, host_matrix
    from httpsys_sim.analysis._matrix import Matrix, matrix
    from httpsys_sim.core._scenario import Scenario

    base = Scenario.seed()
    if args.scenario:
        data, name = _read_input(args.scenario)
        base = Scenario.from_json(data, filename=name)
    term = _terminal(args)
    axes = {
        "releases": _split(args.releases, "--releases"),
        "clients": _split(args.clients, "--clients"),
        "certificates": _split(args.certificates, "--certificates"),
    }
    table: Matrix | HostMatrix = (
        host_matrix(base, hosts=_split(args.hosts, "--hosts") or [], **axes)
        if args.hosts
        else matrix(base, **axes)
    )
    return _emit(
        args,
        {
            "text": lambda: table.to_text(colour=term.colour, width=term.width),
            "markdown": table.to_markdown,
            "csv": table.to_csv,
            "json": table.to_json,
            "html": table.to_html,
        },
        colour=args.format == "text" and term.colour,
    )


# --- tls -------------------------------------------------------------------------------------


def _cmd_tls(args: argparse.Namespace) -> int:
    from httpsys_sim.tls import TlsScenario, run_tls

    if args.scenario:
        data, name = _read_input(args.scenario)
        scenario = TlsScenario.from_json(data, filename=name)
    else:
        scenario = TlsScenario.example()
    transcript = run_tls(scenario)
    return _emit(
        args,
        {
            "json": transcript.to_json,
            "text": transcript.to_text,
            "mermaid": transcript.to_mermaid,
        },
    )


# --- catalogues --------------------------------------------------------------------------------


def _cmd_releases(args: argparse.Namespace) -> int:
    from httpsys_sim.schemas import header
    from httpsys_sim.views._text import releases_text
    from httpsys_sim.windows._releases import RELEASES

    if args.format == "json":
        document = {**header("releases"), "releases": [r.to_dict() for r in RELEASES.values()]}
        _write(json.dumps(document, indent=2) + "\n", fmt="json")
        return EXIT_OK
    _write(releases_text(RELEASES.values(), width=_terminal(args).width))
    return EXIT_OK


def _cmd_clients(args: argparse.Namespace) -> int:
    from httpsys_sim.catalogue._clients import CLIENTS
    from httpsys_sim.schemas import header
    from httpsys_sim.tls import AlertLevel
    from httpsys_sim.views._text import clients_text

    def plain(value: object) -> object:
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, AlertLevel):
            return value.label
        return getattr(value, "value", value)

    if args.format == "json":
        out = []
        for p in CLIENTS.values():
            entry: dict[str, object] = {"id": p.id, "name": p.name, "stack": p.stack}
            for name, fact in p.facts().items():
                entry[name] = {
                    "value": plain(fact.value),
                    "confidence": fact.confidence.value,
                    "sources": list(fact.sources),
                    "note": fact.note,
                    "variants": [plain(v) for v in fact.variants],
                }
            out.append(entry)
        document = {**header("clients"), "clients": out}
        _write(json.dumps(document, indent=2, ensure_ascii=False) + "\n", fmt="json")
        return EXIT_OK
    _write(clients_text(CLIENTS.values(), width=_terminal(args).width))
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    from httpsys_sim.catalogue._rules import RULES, SOURCES
    from httpsys_sim.schemas import header
    from httpsys_sim.views._text import rules_text

    if args.format == "json":
        data = {
            **header("rules"),
            "rules": [
                {
                    "id": r.id,
                    "title": r.title,
                    "statement": r.statement,
                    "confidence": r.confidence.value,
                    "sources": list(r.sources),
                    "section": r.section,
                    "notes": list(r.notes),
                    "alternatives": list(r.alternatives),
                }
                for r in RULES.values()
            ],
            "sources": [{"id": s.id, "title": s.title, "url": s.url} for s in SOURCES.values()],
        }
        _write(json.dumps(data, indent=2, ensure_ascii=False) + "\n", fmt="json")
        return EXIT_OK
    _write(rules_text(RULES.values(), width=_terminal(args).width))
    return EXIT_OK


def _cmd_diagnose(args: argparse.Namespace) -> int:
    from httpsys_sim.analysis._diagnose import diagnose_files

    report = diagnose_files(
        netsh=args.netsh,
        config=args.config,
        schannel=args.schannel,
        release=args.release,
        certificate=args.certificate,
        read=_read_input,
        bundle=args.bundle,
    )
    if args.format == "json":
        # Written piece by piece: a hosting server's report runs to hundreds of megabytes;
        # escaped and saved like every other output (atomically with -o).
        from httpsys_sim._io import escape_json, write_chunks

        write_chunks(
            args.output,
            (escape_json(c).encode("utf-8", "backslashreplace") for c in report.json_chunks()),
        )
        return EXIT_OK
    term = _terminal(args)
    return _emit(
        args,
        {
            "text": lambda: report.to_text(width=term.width),
            "json": report.to_json,
            "markdown": report.to_markdown,
            "html": report.to_html,
        },
    )


def _cmd_collect_script(args: argparse.Namespace) -> int:
    from httpsys_sim.analysis._collect import collect_script

    _write(collect_script(), args.output)
    return EXIT_OK


def _cmd_diagram(args: argparse.Namespace) -> int:
    from httpsys_sim.views._diagrams import state_machine_diagram

    if args.scenario:
        from httpsys_sim.core._engine import simulate
        from httpsys_sim.core._scenario import Scenario
        from httpsys_sim.views._mermaid import result_mermaid

        data, name = _read_input(args.scenario)
        if args.format != "mermaid":
            raise InputError(
                "scenario diagrams are Mermaid sequence diagrams",
                field="--format",
                hint="--format mermaid",
            )
        _write(result_mermaid(simulate(Scenario.from_json(data, filename=name))), args.output)
        return EXIT_OK
    _write(state_machine_diagram(args.state_machine, fmt=args.format), args.output)
    return EXIT_OK


# --- serve -----------------------------------------------------------------------------------


def _cmd_serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from httpsys_sim.core._scenario import Scenario
    from httpsys_sim.endpoint import load_endpoint

    scenario = _scenario_from_args(args)
    assert isinstance(scenario, Scenario)
    endpoint_class = load_endpoint()
    endpoint = endpoint_class(
        scenario,
        port=args.port,
        bind=args.bind,
        keep=args.keep,
        max_connections=args.max_connections,
        timeout=args.timeout,
        renegotiation_timeout=args.renegotiation_timeout,
    )
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {
        sig: signal.signal(sig, _on_signal)
        for sig in (signal.SIGINT, signal.SIGTERM)
        if threading.current_thread() is threading.main_thread()
    }
    endpoint.start()
    try:
        sys.stdout.write(json.dumps(endpoint.ready()) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        endpoint.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK


# --- the parser ----------------------------------------------------------------------------

#: What each ``--format`` writes, for the help text.
_FORMAT_HELP = MappingProxyType(
    {
        "text": "text for people",
        "json": "JSON (docs/formats.md)",
        "markdown": "Markdown",
        "mermaid": "a Mermaid diagram",
        "csv": "CSV, one line per cell",
        "html": "a self-contained HTML page",
        "dot": "Graphviz dot",
    }
)


def _add_format(p: argparse.ArgumentParser, choices: list[str], default: str) -> None:
    what = "; ".join(f"{c}: {_FORMAT_HELP[c]}" for c in choices)
    p.add_argument(
        "--format",
        choices=choices,
        default=default,
        help=f"output format (default: {default}; e.g. --format {choices[1]}). {what}",
    )


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--output", "-o", metavar="FILE", help="write here instead of stdout (e.g. -o out.json)"
    )


def _cmd_completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    _write(completion_script(parser, args.shell))
    return EXIT_OK


def _add_layout_options(p: argparse.ArgumentParser, *, colour: bool = True) -> None:
    g = p.add_argument_group("text layout")
    g.add_argument(
        "--width",
        type=int,
        metavar="N",
        help="wrap text at N columns (default: $COLUMNS, else the terminal's width, else no limit)",
    )
    if not colour:
        return
    g.add_argument(
        "--color",
        "--colour",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour outcome cells: auto (terminals only; NO_COLOR and FORCE_COLOR are "
        "honoured), always or never",
    )


def _terminal(args: argparse.Namespace) -> Terminal:
    """Width and colour for text output (a file given with -o: no limit, no colour)."""
    from httpsys_sim.views._terminal import Terminal, terminal_for

    width = getattr(args, "width", None)
    if width is not None and width < 20:
        raise InputError("must be at least 20", field="--width", hint="e.g. --width 80")
    if getattr(args, "output", None):
        return Terminal(width=width, colour=getattr(args, "color", "never") == "always")
    return terminal_for(sys.stdout, width=width, color=getattr(args, "color", "auto"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation generation)."""
    parser = _Parser(
        prog="httpsys-sim",
        description="Simulate how Windows HTTP.sys + Schannel + IIS answer requests that need "
        "a TLS client certificate.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"httpsys-sim {__version__}",
        help="print the version and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "simulate",
        help="one scenario (default: the seed case)",
        description="Simulate one scenario and say what the client gets, step by step, each "
        "step citing its rule. Example: httpsys-sim simulate --release win11-23h2 --client curl",
    )
    p.add_argument(
        "--scenario",
        metavar="FILE",
        help="scenario JSON (docs/formats.md#scenario-json-input), or - for stdin; "
        "default: the seed scenario",
    )
    _add_format(p, ["text", "json", "markdown", "mermaid"], "text")
    _add_output(p)
    _add_layout_options(p)
    _add_scenario_flags(p)
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser(
        "matrix",
        help="one configuration across releases × clients",
        description="One configuration across releases × clients (× certificate states). "
        "Example: httpsys-sim matrix --releases win10-22h2,win11-24h2 --clients edge,curl",
    )
    p.add_argument(
        "--scenario", metavar="FILE", help="scenario JSON; default: the seed configuration"
    )
    set_completer(
        p.add_argument(
            "--releases",
            "--release",
            dest="releases",
            metavar="IDS",
            help="comma-separated release ids (e.g. win10-22h2,win11-24h2; default: all)",
        ),
        _release_ids,
    )
    p.add_argument(
        "--hosts",
        metavar="HOSTS",
        help="compare hosts side by side (columns), e.g. "
        "iis,aspnetcore-httpsys:AllowRenegotation,kestrel:DelayCertificate; "
        "releases default to the scenario's (docs/concepts.md#hosts)",
    )
    set_completer(
        p.add_argument(
            "--clients",
            "--client",
            dest="clients",
            metavar="IDS",
            help="comma-separated client profile ids (e.g. edge,curl; default: all)",
        ),
        _client_ids,
    )
    set_completer(
        p.add_argument(
            "--certificates",
            "--certificate",
            dest="certificates",
            metavar="STATES",
            help="comma-separated certificate states out of valid,none,expired,revoked,untrusted "
            "(e.g. valid,none; default: the scenario's)",
        ),
        lambda: _CERTIFICATES,
    )
    _add_format(p, ["text", "markdown", "csv", "json", "html"], "text")
    _add_output(p)
    _add_layout_options(p)
    p.set_defaults(func=_cmd_matrix)

    p = sub.add_parser(
        "diagnose",
        help="predict outcomes from real Windows configuration exports",
        description="Read configuration exports from the server (or the folder the collection "
        "script writes), predict what each client gets on each release, and propose verified "
        "fixes. Example: httpsys-sim diagnose --bundle ./server1 --format html -o report.html",
    )
    p.add_argument(
        "--bundle",
        metavar="DIR",
        help="a folder written by the script of `httpsys-sim collect-script` (every part)",
    )
    p.add_argument("--netsh", metavar="FILE", help="output of `netsh http show sslcert`")
    p.add_argument("--config", metavar="FILE", help="applicationHost.config (IIS or IIS Express)")
    p.add_argument(
        "--schannel",
        metavar="FILE",
        help="registry export (.reg): Schannel and/or http.sys (bindings of every kind)",
    )
    set_completer(
        p.add_argument(
            "--release",
            "--releases",
            dest="release",
            metavar="ID",
            type=_one_release,
            help="the server's release (e.g. server-2022; default: the bundle's os.txt with its "
            "upgrade targets, else every release)",
        ),
        _release_ids,
    )
    p.add_argument(
        "--certificate",
        choices=_CERTIFICATES,
        default="valid",
        help="the clients' certificate (default: valid)",
    )
    _add_format(p, ["text", "json", "markdown", "html"], "text")
    _add_output(p)
    _add_layout_options(p, colour=False)
    p.set_defaults(func=_cmd_diagnose)

    p = sub.add_parser(
        "collect-script",
        help="print the read-only PowerShell script that collects a diagnosis bundle",
        description="Print the read-only PowerShell script that, run on the server, writes the "
        "folder `httpsys-sim diagnose --bundle DIR` reads. Example: httpsys-sim collect-script "
        "-o collect.ps1",
    )
    _add_output(p)
    p.set_defaults(func=_cmd_collect_script)

    p = sub.add_parser(
        "tls",
        help="the TLS layer alone: both ends' transcripts",
        description="Run the TLS layer alone and print both ends' message transcripts.",
    )
    p.add_argument(
        "--scenario",
        metavar="FILE",
        help="TLS setup JSON (docs/formats.md#tls-json), or - for stdin; default: TLS 1.3 "
        "post-handshake authentication",
    )
    _add_format(p, ["json", "text", "mermaid"], "text")
    _add_output(p)
    p.set_defaults(func=_cmd_tls)

    for name, func, text in (
        ("releases", _cmd_releases, "the Windows release catalogue"),
        ("clients", _cmd_clients, "the client profile catalogue"),
        ("rules", _cmd_rules, "the rule catalogue with confidence and sources"),
    ):
        p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        _add_format(p, ["text", "json"], "text")
        _add_layout_options(p)
        p.set_defaults(func=func)

    p = sub.add_parser(
        "serve",
        help="a real HTTPS endpoint on loopback that acts out the scenario (docs/serve.md)",
        description="Serve HTTPS on 127.0.0.1 and act out, on the wire, what the model predicts "
        "for each client that connects (its real ClientHello decides). Prints one JSON line "
        "when ready, then serves until SIGINT or SIGTERM. Needs the serve extra: "
        "pip install 'httpsys-sim[serve]'.",
    )
    p.add_argument(
        "--scenario",
        metavar="FILE",
        help="scenario JSON (docs/formats.md#scenario-json-input), or - for stdin",
    )
    _add_scenario_flags(p)
    p.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    p.add_argument(
        "--bind",
        metavar="ADDR",
        help="listen on this IP address instead of 127.0.0.1 (only when named here)",
    )
    p.add_argument("--keep", action="store_true", help="keep the certificates and logs after exit")
    p.add_argument(
        "--max-connections",
        type=int,
        default=128,
        metavar="N",
        help="connections served at once (default 128; more wait in the backlog)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="limit on every read and write (default 10)",
    )
    p.add_argument(
        "--renegotiation-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how long to wait for a client to answer a HelloRequest (default 5; "
        "http.sys waits two minutes)",
    )
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser(
        "diagram",
        help="pictures drawn from the model itself",
        description="Pictures drawn from the model itself. Example: httpsys-sim diagram "
        "--state-machine tls13-server --format dot",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--state-machine",
        choices=[
            "tls12-client",
            "tls12-server",
            "tls13-client",
            "tls13-server",
            "client",
            "server",
            "tls12",
            "tls13",
        ],
        help="a TLS state machine (e.g. tls13-server)",
    )
    what.add_argument("--scenario", metavar="FILE", help="a scenario's sequence diagram")
    _add_format(p, ["mermaid", "dot"], "mermaid")
    _add_output(p)
    p.set_defaults(func=_cmd_diagram)

    p = sub.add_parser(
        "completion",
        help="a shell completion script (bash, zsh or fish)",
        description="Print a completion script for the shell. Examples: "
        "bash: source <(httpsys-sim completion bash); "
        "zsh: httpsys-sim completion zsh > ~/.zfunc/_httpsys-sim; "
        "fish: httpsys-sim completion fish > ~/.config/fish/completions/httpsys-sim.fish",
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(func=lambda args: _cmd_completion(parser, args))
    return parser


def _say(line: str) -> None:
    """One line on stderr, control characters escaped; silent when stderr is gone."""
    from httpsys_sim._io import escape_controls

    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(escape_controls(line) + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (docs/cli.md#exit-status)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="backslashreplace")
        parser = build_parser()
        args = parser.parse_args(argv)
        _check_args(args)
        code: int = args.func(args)
        return code
    except InputError as exc:
        _say(f"httpsys-sim: error: {exc.one_line()}")
        return EXIT_BAD_INPUT
    except HttpsysSimError as exc:
        _say(f"httpsys-sim: error: {' '.join(str(exc).split())}")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python's final flush of
        # stdout from complaining about the same broken pipe.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get("HTTPSYS_SIM_DEBUG"):
            raise
        _say(
            f"httpsys-sim: internal error: {type(exc).__name__}: {quote(str(exc), 200)} "
            "(please report it; set HTTPSYS_SIM_DEBUG=1 for the traceback)"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
