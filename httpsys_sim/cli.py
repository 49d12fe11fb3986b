"""The ``httpsys-sim`` command line (contract §2).

Exit status: 0 when the simulation ran (whatever its outcome), 2 for bad input with a
one-line message naming the file, line and field at fault — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import attrs

from httpsys_sim import __version__
from httpsys_sim.errors import HttpsysSimError, InputError

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

#: Largest input file read (contract §6).
MAX_INPUT_BYTES = 16 * 1024 * 1024


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> NoReturn:
        raise InputError(message, hint=f"see `{self.prog} --help`")


def _read_input(path: str) -> tuple[bytes, str]:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        name = "<stdin>"
    else:
        p = Path(path)
        try:
            if p.stat().st_size > MAX_INPUT_BYTES:
                raise InputError(
                    "file is larger than 16 MiB", file=path, hint="pass the real export"
                )
            data = p.read_bytes()
        except FileNotFoundError:
            raise InputError("no such file", file=path) from None
        except IsADirectoryError:
            raise InputError("is a directory, not a file", file=path) from None
        except PermissionError:
            raise InputError("permission denied", file=path) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=path) from None
        name = path
    if len(data) > MAX_INPUT_BYTES:
        raise InputError("input is larger than 16 MiB", file=name)
    return data, name


def _write(text: str, out: str | None = None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
        return
    sys.stdout.write(text)


def _emit(args: argparse.Namespace, formats: dict[str, Callable[[], str]]) -> int:
    """Render the chosen ``--format`` and write it to ``--output`` or stdout."""
    _write(formats[args.format](), args.output)
    return EXIT_OK


# --- simulate ---------------------------------------------------------------------------


def _add_scenario_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("scenario overrides (applied on top of --scenario or the seed)")
    g.add_argument("--release", help="release id, product name or build (e.g. server-2025)")
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
    )
    g.add_argument(
        "--client-certificate-method",
        choices=["NoCertificate", "AllowCertificate", "AllowRenegotation"],
        help="aspnetcore-httpsys only: HttpSysOptions.ClientCertificateMethod",
    )
    g.add_argument(
        "--client-certificate-mode",
        choices=["NoCertificate", "AllowCertificate", "RequireCertificate", "DelayCertificate"],
        help="kestrel only: ClientCertificateMode",
    )
    g.add_argument("--client", help="client profile id (see `httpsys-sim clients`)")
    g.add_argument("--certificate", choices=["valid", "none", "expired", "revoked", "untrusted"])
    g.add_argument("--access-ssl-flags", metavar="FLAGS", help='e.g. "Ssl,SslNegotiateCert"')
    g.add_argument(
        "--client-cert-negotiation",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="netsh clientcertnegotiation on the binding",
    )
    g.add_argument("--disable-tls13", action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--disable-http2", action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--path", help="request path, e.g. /admin")
    g.add_argument("--body-bytes", type=int, help="request body size in bytes")


def _scenario_from_args(args: argparse.Namespace) -> object:
    from httpsys_sim.core._scenario import ClientSetup, Scenario, default_binding
    from httpsys_sim.tls.messages import CertState
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
            raise InputError(f"{args.path!r} does not start with '/'", field="--path")
        request = attrs.evolve(request, path=args.path)
    if args.body_bytes is not None:
        if args.body_bytes < 0:
            raise InputError("must not be negative", field="--body-bytes")
        request = attrs.evolve(request, body_bytes=args.body_bytes)
    assert isinstance(client, ClientSetup)
    return Scenario(server=server, client=client, request=request)


def _cmd_simulate(args: argparse.Namespace) -> int:
    from httpsys_sim.core._engine import simulate
    from httpsys_sim.core._scenario import Scenario
    from httpsys_sim.views._text import result_markdown, result_mermaid, result_text

    scenario = _scenario_from_args(args)
    assert isinstance(scenario, Scenario)
    result = simulate(scenario)
    return _emit(
        args,
        {
            "text": lambda: result_text(result),
            "json": result.to_json,
            "markdown": lambda: result_markdown(result),
            "mermaid": lambda: result_mermaid(result),
        },
    )


# --- matrix -------------------------------------------------------------------------------


def _split(value: str | None) -> list[str] | None:
    if value is None or value.strip() in ("", "all"):
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _cmd_matrix(args: argparse.Namespace) -> int:
    from httpsys_sim.analysis._matrix import matrix, wants_colour
    from httpsys_sim.core._scenario import Scenario

    base = Scenario.seed()
    if args.scenario:
        data, name = _read_input(args.scenario)
        base = Scenario.from_json(data, filename=name)
    if args.hosts:
        from httpsys_sim.analysis._hosts_matrix import host_matrix

        hosts = host_matrix(
            base,
            hosts=_split(args.hosts) or [],
            releases=_split(args.releases),
            clients=_split(args.clients),
            certificates=_split(args.certificates),
        )
        return _emit(
            args,
            {
                "text": hosts.to_text,
                "markdown": hosts.to_markdown,
                "csv": hosts.to_csv,
                "json": hosts.to_json,
                "html": hosts.to_html,
            },
        )
    table = matrix(
        base,
        releases=_split(args.releases),
        clients=_split(args.clients),
        certificates=_split(args.certificates),
    )
    return _emit(
        args,
        {
            "text": lambda: table.to_text(colour=not args.output and wants_colour(sys.stdout)),
            "markdown": table.to_markdown,
            "csv": table.to_csv,
            "json": table.to_json,
            "html": table.to_html,
        },
    )


# --- tls -------------------------------------------------------------------------------------


def _cmd_tls(args: argparse.Namespace) -> int:
    from httpsys_sim.tls.run import TlsScenario, run_tls

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
    from httpsys_sim.catalogue._rules import get_rule
    from httpsys_sim.windows._releases import RELEASES

    if args.format == "json":
        _write(json.dumps([r.to_dict() for r in RELEASES.values()], indent=2) + "\n")
        return EXIT_OK
    lines = [
        f"{'id':<12} {'product':<20} {'build':>6}  {'TLS':<15} "
        "late demand over TLS 1.3   confidence"
    ]
    for r in RELEASES.values():
        tls = "/".join(v.value for v in r.tls_versions)
        lines.append(
            f"{r.id:<12} {r.product:<20} {r.build:>6}  {tls:<15} {r.late_demand_tls13.value:<25} "
            f"{r.confidence.value}"
        )
    sources = sorted(
        {s for r in RELEASES.values() for rule in r.rules for s in get_rule(rule).sources}
    )
    lines += ["", "rules: R-REL-1 … R-REL-5 · sources: " + ", ".join(sources)]
    _write("\n".join(lines) + "\n")
    return EXIT_OK


def _cmd_clients(args: argparse.Namespace) -> int:
    from httpsys_sim.catalogue._clients import CLIENTS

    if args.format == "json":
        out = []
        for p in CLIENTS.values():
            entry: dict[str, object] = {"id": p.id, "name": p.name, "stack": p.stack}
            for name, fact in p.facts().items():
                value = fact.value
                entry[name] = {
                    "value": list(value)
                    if isinstance(value, tuple)
                    else getattr(value, "value", value),
                    "confidence": fact.confidence.value,
                    "sources": list(fact.sources),
                    "note": fact.note,
                }
            out.append(entry)
        _write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    lines = [
        f"{'id':<16} {'TLS':<8} {'ALPN':<16} {'PHA':<4} {'reneg h1/h2':<16} on HTTP_1_1_REQUIRED"
    ]
    for p in CLIENTS.values():
        tls = f"{p.min_tls.value}-{p.max_tls.value}"
        alpn = ",".join(p.alpn.value) or "-"
        reneg = f"{p.renegotiation_http11.value.value}/{p.renegotiation_h2.value.value}"
        lines.append(
            f"{p.id:<16} {tls:<8} {alpn:<16} {'yes' if p.offers_pha.value else 'no':<4} "
            f"{reneg:<16} {p.on_http_1_1_required.value.value:<20}"
        )
    lines += ["", "every field carries sources and confidence: `httpsys-sim clients --format json`"]
    _write("\n".join(lines) + "\n")
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    from httpsys_sim.catalogue._rules import RULES, SOURCES

    if args.format == "json":
        data = {
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
        _write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    lines = [f"{r.id:<26} {r.confidence.value:<10} {r.title}" for r in RULES.values()]
    _write("\n".join(lines) + "\n")
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
    )
    return _emit(
        args,
        {
            "text": report.to_text,
            "json": report.to_json,
            "markdown": report.to_markdown,
        },
    )


def _cmd_diagram(args: argparse.Namespace) -> int:
    from httpsys_sim.views._diagrams import state_machine_diagram

    if args.scenario:
        from httpsys_sim.core._engine import simulate
        from httpsys_sim.core._scenario import Scenario
        from httpsys_sim.views._text import result_mermaid

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


# --- the parser ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation generation)."""
    parser = _Parser(
        prog="httpsys-sim",
        description="Simulate how Windows HTTP.sys + Schannel + IIS answer requests that need "
        "a TLS client certificate.",
    )
    parser.add_argument("--version", action="version", version=f"httpsys-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("simulate", help="one scenario (default: the seed case)")
    p.add_argument(
        "--scenario", metavar="FILE", help="scenario JSON (contract §2.1), or - for stdin"
    )
    p.add_argument("--format", choices=["text", "json", "markdown", "mermaid"], default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    _add_scenario_flags(p)
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("matrix", help="one configuration across releases × clients")
    p.add_argument(
        "--scenario", metavar="FILE", help="scenario JSON; default: the seed configuration"
    )
    p.add_argument("--releases", metavar="IDS", help="comma-separated release ids (default: all)")
    p.add_argument("--clients", metavar="IDS", help="comma-separated client ids (default: all)")
    p.add_argument(
        "--hosts",
        metavar="HOSTS",
        help="compare hosts side by side (columns), e.g. "
        "iis,aspnetcore-httpsys:AllowRenegotation,kestrel:DelayCertificate; "
        "releases default to the scenario's (docs/concepts.md#hosts)",
    )
    p.add_argument(
        "--certificates",
        metavar="STATES",
        help="comma-separated: valid,none,expired,revoked,untrusted (default: the scenario's)",
    )
    p.add_argument("--format", choices=["text", "markdown", "csv", "json", "html"], default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=_cmd_matrix)

    p = sub.add_parser("diagnose", help="predict outcomes from real Windows configuration exports")
    p.add_argument("--netsh", metavar="FILE", help="output of `netsh http show sslcert`")
    p.add_argument("--config", metavar="FILE", help="applicationHost.config (IIS or IIS Express)")
    p.add_argument("--schannel", metavar="FILE", help="Schannel registry export (.reg)")
    p.add_argument("--release", metavar="ID", help="the server's release (default: every release)")
    p.add_argument(
        "--certificate",
        choices=["valid", "none", "expired", "revoked", "untrusted"],
        default="valid",
        help="the clients' certificate (default: valid)",
    )
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=_cmd_diagnose)

    p = sub.add_parser("tls", help="the TLS layer alone: both ends' transcripts")
    p.add_argument(
        "--scenario", metavar="FILE", help="TLS setup JSON (contract §2.3), or - for stdin"
    )
    p.add_argument("--format", choices=["json", "text", "mermaid"], default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=_cmd_tls)

    for name, func, text in (
        ("releases", _cmd_releases, "the Windows release catalogue"),
        ("clients", _cmd_clients, "the client profile catalogue"),
        ("rules", _cmd_rules, "the rule catalogue with confidence and sources"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.set_defaults(func=func)

    p = sub.add_parser("diagram", help="pictures drawn from the model itself")
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
        help="a TLS state machine",
    )
    what.add_argument("--scenario", metavar="FILE", help="a scenario's sequence diagram")
    p.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=_cmd_diagram)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        code: int = args.func(args)
        return code
    except InputError as exc:
        print(f"httpsys-sim: error: {exc.one_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except HttpsysSimError as exc:
        print(f"httpsys-sim: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("HTTPSYS_SIM_DEBUG"):
            raise
        print(
            f"httpsys-sim: internal error: {type(exc).__name__}: {exc} "
            "(please report it; set HTTPSYS_SIM_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
