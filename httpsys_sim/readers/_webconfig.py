"""``web.config`` files and the access flags IIS computes from every file (R-IIS-1.merge).

:func:`parse_web_config` reads a site's or application's ``web.config``: its own
``<system.webServer><security><access sslFlags>`` and every ``<location path>`` that sets it.
:func:`effective_paths` then computes, for every path of a site that something configures,
the flags IIS applies and the chain of settings that led there, level by level from the
site root down: applicationHost.config's server level, then for each path level its
``<location>`` in applicationHost.config, ``<location>`` tags for it in ``web.config`` files
above, and the ``web.config`` of that level; the last one wins.  A ``web.config`` that sets
the section where applicationHost.config locks it (``overrideModeDefault="Deny"`` and no
``<location overrideMode="Allow">``) is refused by IIS (HTTP 500.19): it is reported with
its file and line and its settings are not applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from httpsys_sim.errors import InputError
from httpsys_sim.readers._appconfig import (
    AppHostConfig,
    _access_nodes,
    _ancestors,
    _decode,
    _Node,
    _norm_path,
    _parse_xml,
)
from httpsys_sim.readers._text import read_input
from httpsys_sim.windows._iis import AccessSslFlag, parse_access_ssl_flags

__all__ = [
    "ConfigProblem",
    "EffectivePath",
    "FlagSource",
    "WebConfig",
    "WebConfigAccess",
    "effective_paths",
    "parse_web_config",
    "read_file",
]


@attrs.frozen(kw_only=True)
class WebConfigAccess:
    """One ``<access sslFlags>`` of a ``web.config``."""

    #: The site path it applies to (``/admin``), case-folded as IIS compares it.
    path: str
    flags: AccessSslFlag
    #: The attribute as written.
    raw: str
    #: 1-based line of the ``<access>`` element.
    line: int
    #: ``path`` of the enclosing ``<location>`` as written (None: the file's own level).
    location_path: str | None = None


@attrs.frozen(kw_only=True)
class WebConfig:
    """A ``web.config`` of one site directory (``/`` for the site root)."""

    filename: str
    site: str
    #: The virtual directory it sits in (``/``, ``/admin``), case-folded.
    directory: str
    settings: tuple[WebConfigAccess, ...] = ()


@attrs.frozen(kw_only=True)
class FlagSource:
    """One setting applied on the way to a path's effective flags."""

    #: ``file:line``.
    where: str
    flags: AccessSslFlag
    #: What it is: ``server level``, ``<location path="Portal/admin">``, ``web.config`` …
    what: str


@attrs.frozen(kw_only=True)
class ConfigProblem:
    """Something IIS would refuse or the bundle lacks, with where it was found."""

    message: str
    file: str | None = None
    line: int | None = None
    site: str | None = None
    #: The site path it affects (everything below it too), when it affects one.
    path: str | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}" if where else self.message


@attrs.frozen(kw_only=True)
class EffectivePath:
    """A path of a site and the access flags IIS applies to it (R-IIS-1.merge)."""

    site: str
    #: As IIS writes it, ``/`` for the site root.
    path: str
    flags: AccessSslFlag
    #: Every setting applied, in IIS's order; the last one decided (empty: schema default).
    chain: tuple[FlagSource, ...] = ()
    #: Refused files above or at this path (IIS answers 500.19 there).
    problems: tuple[ConfigProblem, ...] = ()

    @property
    def source(self) -> str:
        """``file:line`` of the setting that decided, or the schema default."""
        return self.chain[-1].where if self.chain else "schema default (None)"


def parse_web_config(
    text: str | bytes, *, filename: str = "web.config", site: str, directory: str = "/"
) -> WebConfig:
    """Read the ``access`` settings of one ``web.config``.

    Malformed or hostile XML (DTD, entities) and bad ``sslFlags`` raise :class:`InputError`
    with the file and line — IIS would refuse such a file too.
    """
    decoded = _decode(text, filename)
    root, _markers = _parse_xml(decoded, filename)
    if root.tag != "configuration":
        raise InputError(
            f"the root element is <{root.tag}>, not <configuration>",
            file=filename,
            line=root.line,
            hint="a web.config starts with <configuration>",
        )
    base = _norm_path(directory)
    settings: list[WebConfigAccess] = []
    seen: dict[str, int] = {}

    def add(path: str, location_path: str | None, nodes: Iterable[_Node]) -> None:
        for node in nodes:
            raw = node.attrib.get("sslFlags")
            line = node.line
            if raw is None:
                continue
            if path in seen:
                raise InputError(
                    "a second <access> for the same path (IIS refuses duplicate sections; "
                    f"first on line {seen[path]})",
                    file=filename,
                    line=line,
                    field="access/@sslFlags",
                )
            seen[path] = line
            settings.append(
                WebConfigAccess(
                    path=path,
                    flags=parse_access_ssl_flags(
                        raw, file=filename, line=line, field="access/@sslFlags"
                    ),
                    raw=raw,
                    line=line,
                    location_path=location_path,
                )
            )

    add(base, None, _access_nodes(root))
    for location in root.find_all("location"):
        written = location.attrib.get("path", "")
        rest = written.strip().replace("\\", "/").strip("/")
        target = base if rest in ("", ".") else _norm_path(base.rstrip("/") + "/" + rest)
        add(target, written, _access_nodes(location))
    return WebConfig(filename=filename, site=site, directory=base, settings=tuple(settings))


def effective_paths(
    app: AppHostConfig | None,
    site: str,
    web_configs: Sequence[WebConfig] = (),
    *,
    extra_paths: Iterable[str] = (),
    refused: Sequence[ConfigProblem] = (),
) -> tuple[tuple[EffectivePath, ...], tuple[ConfigProblem, ...]]:
    """Every configured path of ``site`` with its effective flags, and the problems found.

    Paths: the site root, every path a setting names, and ``extra_paths`` (its
    applications).  ``refused`` are files already known to be unreadable (malformed):
    they mark their directory and everything below.  Linear in the number of settings.
    """
    app_name = app.filename if app is not None else "applicationHost.config"
    problems: list[ConfigProblem] = list(refused)
    # path level -> [(order, source)]; order 0 applicationHost, 1 web.config <location>
    # (by the file's depth), 2 the level's own web.config.
    levels: dict[str, list[tuple[tuple[int, int], FlagSource]]] = {}
    base: FlagSource | None = None
    if app is not None:
        server = app.server_setting
        if server is not None:
            base = FlagSource(
                where=f"{app_name}:{server.line}", flags=server.flags, what="server level"
            )
        for setting in app.site_settings(site).values():
            levels.setdefault(setting.path, []).append(
                (
                    (0, 0),
                    FlagSource(
                        where=f"{app_name}:{setting.line}",
                        flags=setting.flags,
                        what=f'<location path="{setting.location_path}">',
                    ),
                )
            )
    for config in sorted(web_configs, key=lambda c: (c.directory.count("/"), c.directory)):
        if not config.settings:
            continue
        if app is not None:
            mode, lock_line = app.access_override(site, config.directory)
        else:
            mode, lock_line = "Allow", None  # nothing to say it is locked
        if mode == "Deny":
            first = config.settings[0]
            decided = (
                f'<location overrideMode="Deny"> at {app_name}:{lock_line}'
                if lock_line
                else f'overrideModeDefault="Deny" ({app_name})'
            )
            problems.append(
                ConfigProblem(
                    message=(
                        "IIS refuses this web.config (HTTP 500.19): it sets "
                        f"system.webServer/security/access, which is locked by {decided}; "
                        "unlock it with: %windir%\\system32\\inetsrv\\appcmd.exe unlock config "
                        f'"{site}{"" if config.directory == "/" else config.directory}" '
                        "-section:system.webServer/security/access"
                    ),
                    file=config.filename,
                    line=first.line,
                    site=site,
                    path=config.directory,
                )
            )
            continue
        depth = config.directory.count("/") if config.directory != "/" else 0
        for entry in config.settings:
            own = entry.location_path is None
            what = "web.config" if own else f'web.config <location path="{entry.location_path}">'
            levels.setdefault(entry.path, []).append(
                (
                    (2 if own else 1, depth),
                    FlagSource(
                        where=f"{config.filename}:{entry.line}", flags=entry.flags, what=what
                    ),
                )
            )
    paths = {"/"} | set(levels) | {_norm_path(p) for p in extra_paths}
    refused_at: dict[str, list[ConfigProblem]] = {}
    for problem in problems:
        if problem.path is not None and (problem.site or "").casefold() == site.casefold():
            refused_at.setdefault(_norm_path(problem.path), []).append(problem)
    out: list[EffectivePath] = []
    for path in sorted(paths, key=lambda p: (p.count("/") if p != "/" else 0, p)):
        chain: list[FlagSource] = [base] if base is not None else []
        found: list[ConfigProblem] = []
        for level in _ancestors(path):
            entries = levels.get(level)
            if entries:
                chain += [source for _, source in sorted(entries, key=lambda e: e[0])]
            found += refused_at.get(level, [])
        flags = chain[-1].flags if chain else AccessSslFlag.NONE
        out.append(
            EffectivePath(
                site=site, path=path, flags=flags, chain=tuple(chain), problems=tuple(found)
            )
        )
    return tuple(out), tuple(problems)


def read_file(path: str | Path, *, site: str, directory: str = "/") -> WebConfig:
    """Read a ``web.config`` from ``path``."""
    return parse_web_config(read_input(path), filename=str(path), site=site, directory=directory)
