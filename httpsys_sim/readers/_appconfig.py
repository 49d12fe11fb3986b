"""Reader of ``applicationHost.config`` (IIS and IIS Express; R-IIS-1 … R-IIS-4).

It extracts what decides a client-certificate outcome: the sites and their bindings
(``bindingInformation``, numeric ``sslFlags``; R-IIS-3), the server-level
``<system.webServer><security><access sslFlags>`` and every ``<location path="…">`` that sets
it (R-IIS-1), the ``access`` section's lock (``overrideModeDefault``), whether the file
belongs to IIS Express or full IIS (R-IIS-4), the client-certificate mapping sections and the
native modules (:mod:`httpsys_sim.readers._certmapping`; R-IIS-7.mapping, R-IIS-8).

XML is parsed with :mod:`defusedxml` refusing DTDs, entity declarations and external
references (docs/formats.md#bad-input): billion-laughs and XXE payloads are an :class:`InputError`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Final
from xml.etree.ElementTree import ParseError

import attrs
from defusedxml.common import (  # type: ignore[import-untyped, unused-ignore]
    DefusedXmlException,
)
from defusedxml.ElementTree import (  # type: ignore[import-untyped, unused-ignore]
    DefusedXMLParser,
)

from httpsys_sim.errors import InputError
from httpsys_sim.readers._certmapping import (
    AD_MAPPING_SECTION,
    IIS_MAPPING_SECTION,
    CertificateMapping,
    GlobalModule,
    MappingSection,
    ModuleEdit,
    merge_mapping,
    merge_modules,
    read_global_modules,
    read_mapping_section,
    read_module_edit,
    required_attribute,
)
from httpsys_sim.readers._text import decode_text, read_input
from httpsys_sim.windows._binding import IIS_EXPRESS_PORTS, BindingKind
from httpsys_sim.windows._iis import (
    AccessSslFlag,
    Host,
    SiteBindingSslFlag,
    http_sys_endpoint,
    parse_access_ssl_flags,
)

__all__ = [
    "AccessLock",
    "AccessSetting",
    "AppHostConfig",
    "Site",
    "SiteBinding",
    "parse_application_host_config",
    "read_file",
]

_MAX_DEPTH: Final = 256
_DECLARED_ENCODING: Final = re.compile(
    rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)

#: Names of the site binding ``sslFlags`` bits as the IIS schema spells them (S12).
_SITE_FLAG_NAMES: Final = MappingProxyType(
    {
        "none": SiteBindingSslFlag.NONE,
        "sni": SiteBindingSslFlag.SNI,
        "centralcertstore": SiteBindingSslFlag.CENTRAL_CERT_STORE,
        "disablehttp2": SiteBindingSslFlag.DISABLE_HTTP2,
        "disableocspstp": SiteBindingSslFlag.DISABLE_OCSP_STAPLING,
        "disablequic": SiteBindingSslFlag.DISABLE_QUIC,
        "disabletls13": SiteBindingSslFlag.DISABLE_TLS13,
        "disablelegacytls": SiteBindingSslFlag.DISABLE_LEGACY_TLS,
        "negotiateclientcert": SiteBindingSslFlag.NEGOTIATE_CLIENT_CERT,
    }
)

#: Environment variables only IIS Express's configuration uses (R-IIS-4, S13).
_IIS_EXPRESS_MARKERS: Final = ("%iis_user_home%", "%iis_bin%", "%iis_sites_home%")
#: Paths only full IIS's configuration uses.
_IIS_MARKERS: Final = ("%windir%\\system32\\inetsrv", "%systemdrive%\\inetpub")


@attrs.frozen(kw_only=True)
class SiteBinding:
    """One ``<binding protocol=… bindingInformation=… sslFlags=…>`` of a site (R-IIS-3, S11)."""

    #: ``http``, ``https``, ``net.tcp`` …
    protocol: str
    #: ``IP:PORT:HOST`` for http/https (``*`` = all addresses).
    binding_information: str
    #: Numeric ``sslFlags`` (R-IIS-3); 0 when absent.
    ssl_flags: SiteBindingSslFlag = SiteBindingSslFlag.NONE
    #: 1-based line of the element.
    line: int

    @property
    def is_https(self) -> bool:
        """Whether this binding serves TLS."""
        return self.protocol.lower() == "https"

    @property
    def port(self) -> int | None:
        """The TCP port (http/https bindings), else None."""
        if self.protocol.lower() not in ("http", "https"):
            return None
        return int(self.binding_information.rsplit(":", 2)[1])

    @property
    def host_name(self) -> str:
        """The host-header part (may be empty)."""
        return self.binding_information.rsplit(":", 2)[-1]

    def http_sys_endpoint(self) -> tuple[BindingKind, str]:
        """The http.sys SSL binding serving it: ``("hostnameport", "portal.contoso.test:443")``."""
        return http_sys_endpoint(self.binding_information, self.ssl_flags)


@attrs.frozen(kw_only=True)
class Site:
    """One ``<site>`` of ``<system.applicationHost><sites>``."""

    #: ``name`` attribute (IIS compares site names case-insensitively).
    name: str
    #: ``id`` attribute, when given.
    id: int | None
    #: Its bindings in file order.
    bindings: tuple[SiteBinding, ...] = ()
    #: Virtual paths of its ``<application>`` elements (``/``, ``/admin`` …).
    applications: tuple[str, ...] = ()
    #: 1-based line of the ``<site>`` element.
    line: int

    @property
    def https_bindings(self) -> tuple[SiteBinding, ...]:
        """The bindings with ``protocol="https"``."""
        return tuple(b for b in self.bindings if b.is_https)


@attrs.frozen(kw_only=True)
class AccessSetting:
    """One ``<access sslFlags="…">`` in the file (R-IIS-1, S8).

    ``site`` is None for the server level (outside any ``<location>``, or ``path=""`` /
    ``path="."``); ``path`` is the virtual path inside the site as IIS writes it (``/``,
    ``/admin``).
    """

    #: Site the setting applies to (None: server level).
    site: str | None
    #: Path inside the site, ``/`` for its root (``/`` at server level too).
    path: str
    #: The flags it sets.
    flags: AccessSslFlag
    #: The attribute as written.
    raw: str
    #: 1-based line of the ``<access>`` element.
    line: int
    #: ``path`` of the enclosing ``<location>`` as written (None: none).
    location_path: str | None = None
    #: ``overrideMode`` of the enclosing ``<location>`` (``allowOverride`` mapped to
    #: Allow/Deny).  It governs ``web.config`` files below, not this file (R-IIS-1).
    override_mode: str | None = None
    #: 1-based line of the enclosing ``<location>``.
    location_line: int | None = None


@attrs.frozen(kw_only=True)
class AccessLock:
    """A ``<location overrideMode="Allow|Deny">`` (or ``allowOverride``) around the ``access``
    section: it decides whether ``web.config`` files at and below ``path`` may set it."""

    #: Site (None: server level, ``path=""``).
    site: str | None
    #: Path inside the site (``/`` for the root).
    path: str
    #: ``Allow`` or ``Deny``.
    mode: str
    #: 1-based line of the ``<location>``.
    line: int


@attrs.frozen(kw_only=True)
class AppHostConfig:
    """What an ``applicationHost.config`` says about client certificates (R-IIS-1 … R-IIS-4)."""

    #: The name used in error messages.
    filename: str
    #: Sites in file order.
    sites: tuple[Site, ...] = ()
    #: Every ``<access>`` that sets ``sslFlags``, in file order.
    access_settings: tuple[AccessSetting, ...] = ()
    #: ``overrideModeDefault`` of the ``access`` section declaration (IIS: ``Deny``, R-IIS-1).
    access_override_mode_default: str | None = None
    #: IIS Express or full IIS (R-IIS-4): the caller's hint, else guessed from the file.
    host_hint: Host = Host.IIS
    #: Why :attr:`host_hint` is what it is.
    host_evidence: str = ""
    #: Every ``<location overrideMode|allowOverride>`` holding the ``access`` section: the
    #: locks that decide whether a ``web.config`` below may set it (R-IIS-1).
    access_locks: tuple[AccessLock, ...] = ()
    #: Every client-certificate mapping section (IIS and Active Directory), in file order
    #: (R-IIS-7.mapping).
    mapping_sections: tuple[MappingSection, ...] = ()
    #: ``<globalModules>``: the native modules and their DLLs (R-IIS-8).
    global_modules: tuple[GlobalModule, ...] = ()
    #: Every ``<modules>`` element, in file order.
    module_edits: tuple[ModuleEdit, ...] = ()
    #: Look-up tables built once (site name → site; site → path → setting), so that a
    #: look-up costs the same whatever the number of sites and locations.
    _sites_by_name: dict[str, Site] = attrs.field(init=False, eq=False, repr=False)
    _by_site: dict[str, dict[str, AccessSetting]] = attrs.field(init=False, eq=False, repr=False)
    _server: AccessSetting | None = attrs.field(init=False, eq=False, repr=False)
    _locks: dict[tuple[str | None, str], AccessLock] = attrs.field(init=False, eq=False, repr=False)
    _levels: dict[tuple[str | None, str], list[MappingSection | ModuleEdit]] = attrs.field(
        init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Site] = {}
        for site in self.sites:
            by_name.setdefault(site.name.casefold(), site)
        by_site: dict[str, dict[str, AccessSetting]] = {}
        server: AccessSetting | None = None
        for setting in self.access_settings:
            if setting.site is None:
                if server is None:
                    server = setting
                continue
            paths = by_site.setdefault(setting.site.casefold(), {})
            paths.setdefault(setting.path.casefold(), setting)
        locks = {
            (None if lock.site is None else lock.site.casefold(), lock.path.casefold()): lock
            for lock in self.access_locks
        }
        object.__setattr__(self, "_sites_by_name", by_name)
        object.__setattr__(self, "_by_site", by_site)
        object.__setattr__(self, "_server", server)
        object.__setattr__(self, "_locks", locks)
        levels: dict[tuple[str | None, str], list[MappingSection | ModuleEdit]] = {}
        items: list[MappingSection | ModuleEdit] = [*self.mapping_sections, *self.module_edits]
        for item in items:
            where = (None if item.site is None else item.site.casefold(), item.path.casefold())
            levels.setdefault(where, []).append(item)
        for found in levels.values():
            found.sort(key=lambda item: item.line)
        object.__setattr__(self, "_levels", levels)

    def _levels_for(self, site: str, path: str) -> list[MappingSection | ModuleEdit]:
        """Mapping sections and ``<modules>`` elements that apply to ``path`` of ``site``, in
        IIS's order: server level, then each ``<location>`` from the site root down."""
        out = list(self._levels.get((None, "/"), ()))
        folded = site.casefold()
        for level in _ancestors(_norm_path(path)):
            out += self._levels.get((folded, level), ())
        return out

    def certificate_mapping(self, site: str, path: str = "/") -> CertificateMapping:
        """The client-certificate mapping IIS applies to ``path`` of ``site``
        (R-IIS-7.mapping): every level's section merged."""
        return merge_mapping(
            m for m in self._levels_for(site, path) if isinstance(m, MappingSection)
        )

    def native_modules(self, site: str, path: str = "/") -> tuple[GlobalModule, ...]:
        """The native modules of ``<globalModules>`` that ``<modules>`` leaves running for
        ``path`` of ``site`` (R-IIS-8)."""
        if not self.global_modules:
            return ()
        edits = (m for m in self._levels_for(site, path) if isinstance(m, ModuleEdit))
        return merge_modules(self.global_modules, edits)

    def site_settings(self, name: str) -> dict[str, AccessSetting]:
        """The ``<location>`` settings of site ``name``: case-folded path → setting."""
        return self._by_site.get(name.casefold(), {})

    def orphan_settings(self) -> tuple[AccessSetting, ...]:
        """``<location>`` settings naming a site the file does not define (in file order)."""
        return tuple(
            setting
            for folded, paths in self._by_site.items()
            if folded not in self._sites_by_name
            for setting in paths.values()
        )

    @property
    def server_setting(self) -> AccessSetting | None:
        """The server-level ``<access sslFlags>``, if the file sets one."""
        return self._server

    def access_override(self, site: str, path: str = "/") -> tuple[str, int | None]:
        """Whether a ``web.config`` at ``path`` of ``site`` may set ``access``: ``Allow`` or
        ``Deny``, and the line that decided (None: the section's ``overrideModeDefault``, or
        IIS's ``Deny`` when the file does not declare it; R-IIS-1)."""
        folded = site.casefold()
        for candidate in _ancestors(_norm_path(path))[::-1]:
            lock = self._locks.get((folded, candidate))
            if lock is not None:
                return lock.mode, lock.line
        lock = self._locks.get((None, "/"))
        if lock is not None:
            return lock.mode, lock.line
        default = self.access_override_mode_default or "Deny"
        return ("Allow" if default.strip().casefold() == "allow" else "Deny"), None

    def site(self, name: str) -> Site:
        """The site called ``name`` (case-insensitive); :class:`InputError` if there is none."""
        found = self._sites_by_name.get(name.casefold())
        if found is not None:
            return found
        raise InputError(
            f"no site named {name!r}",
            file=self.filename,
            field="site",
            hint="sites: " + (", ".join(s.name for s in self.sites) or "(none)"),
        )

    def _check_site(self, name: str) -> None:
        folded = name.casefold()
        if folded in self._sites_by_name or folded in self._by_site:
            return
        self.site(name)  # raises

    def server_access(self) -> tuple[AccessSslFlag, int | None]:
        """Server-level flags and their line (``(NONE, None)``: the schema default, R-IIS-1)."""
        for setting in self.access_settings:
            if setting.site is None:
                return setting.flags, setting.line
        return AccessSslFlag.NONE, None

    def effective_access_flags(
        self, site: str, path: str = "/"
    ) -> tuple[AccessSslFlag, int | None]:
        """The flags IIS applies to ``path`` of ``site`` and the line that set them (R-IIS-1).

        Inheritance: server level → ``<location path="Site">`` → ``<location
        path="Site/sub">`` …; the most specific location on a path-segment boundary wins.
        The line is None when nothing in the file sets the flags (schema default ``None``).
        """
        self._check_site(site)
        own = self.site_settings(site)
        for candidate in _ancestors(_norm_path(path))[::-1]:
            found = own.get(candidate)
            if found is not None:
                return found.flags, found.line
        if self._server is None:
            return AccessSslFlag.NONE, None
        return self._server.flags, self._server.line

    def paths_with_access_flags(
        self, site: str
    ) -> tuple[tuple[str, AccessSslFlag, int | None], ...]:
        """``(path, effective flags, line)`` for the site root and each path with its own flags."""
        self._check_site(site)
        paths = {"/"} | {s.path for s in self.site_settings(site).values()}
        return tuple(
            (path, *self.effective_access_flags(site, path))
            for path in sorted(paths, key=lambda p: (p.count("/") if p != "/" else 0, p))
        )


def _norm_path(path: str) -> str:
    """``/Admin//x/`` → ``/admin/x``; the query string is dropped; ``""`` → ``/``."""
    path = path.split("?", 1)[0].split("#", 1)[0].replace("\\", "/")
    parts = [p for p in path.split("/") if p and p != "."]
    return ("/" + "/".join(parts)).casefold()


def _ancestors(path: str) -> list[str]:
    """``/a/b`` → ``["/", "/a", "/a/b"]`` (a normalised path and every parent, root first)."""
    if path == "/":
        return ["/"]
    parts = path.split("/")[1:]
    return ["/"] + ["/" + "/".join(parts[: n + 1]) for n in range(len(parts))]


def _covers(location: str, request: str) -> bool:
    """Whether a location path applies to a request path (prefix on a segment boundary)."""
    location = location.casefold()
    if location == "/":
        return True
    return request == location or request.startswith(location + "/")


@attrs.define
class _Node:
    tag: str
    attrib: dict[str, str]
    line: int
    children: list[_Node] = attrs.Factory(list)

    def find_all(self, tag: str) -> Iterator[_Node]:
        return (c for c in self.children if c.tag == tag)

    def find_named(self, tag: str, name: str) -> Iterator[_Node]:
        return (c for c in self.find_all(tag) if c.attrib.get("name") == name)


class _TreeTarget:
    """ElementTree target building :class:`_Node` s with the line of each start tag."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.parser: DefusedXMLParser | None = None
        self.stack: list[_Node] = []
        self.root: _Node | None = None
        self.markers: set[str] = set()

    def _line(self) -> int:
        assert self.parser is not None
        return int(self.parser.parser.CurrentLineNumber)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        node = _Node(tag=tag, attrib=dict(attrib), line=self._line())
        if len(self.stack) >= _MAX_DEPTH:
            raise InputError(
                f"elements nested deeper than {_MAX_DEPTH} levels",
                file=self.filename,
                line=node.line,
                hint="this is not an applicationHost.config",
            )
        for value in attrib.values():
            folded = value.casefold()
            for marker in (*_IIS_EXPRESS_MARKERS, *_IIS_MARKERS):
                if marker in folded:
                    self.markers.add(marker)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, tag: str) -> None:
        self.stack.pop()

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def _parse_xml(text: str, filename: str) -> tuple[_Node, set[str]]:
    target = _TreeTarget(filename)
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    target.parser = parser
    try:
        parser.feed(text)
        parser.close()
    except InputError:
        raise
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        message = str(exc).split(": line", 1)[0]
        raise InputError(
            f"not well-formed XML: {message}",
            file=filename,
            line=line,
            hint="a truncated or hand-edited file? IIS would refuse it too",
        ) from None
    except DefusedXmlException as exc:
        raise InputError(
            f"XML with a DTD, entity declaration or external reference is refused "
            f"({type(exc).__name__})",
            file=filename,
            line=int(parser.parser.CurrentLineNumber),
            hint="applicationHost.config never has a DOCTYPE; this may be a hostile file",
        ) from None
    except (UnicodeError, ValueError) as exc:
        raise InputError(f"cannot read the XML: {exc}", file=filename, line=None) from None
    if target.root is None:  # pragma: no cover - expat reports "no element found" first
        raise InputError("no root element", file=filename, line=1)
    return target.root, target.markers


def _decode(data: str | bytes, filename: str) -> str:
    declared: str | None = None
    if isinstance(data, bytes):
        match = _DECLARED_ENCODING.match(data[:200])
        if match is not None:
            name = match.group(1).decode("ascii")
            try:
                codec = codecs.lookup(name).name
            except LookupError:
                raise InputError(
                    f"unknown encoding {name!r} in the XML declaration",
                    file=filename,
                    line=1,
                    hint="IIS writes applicationHost.config as UTF-8",
                ) from None
            if codec in ("utf-8", "ascii", "latin-1") or codec.startswith(("cp125", "iso8859")):
                declared = codec
            elif not codec.startswith(("utf-16", "utf-32")):
                raise InputError(
                    f"unsupported encoding {name!r} in the XML declaration",
                    file=filename,
                    line=1,
                    hint="IIS writes applicationHost.config as UTF-8",
                )
    return decode_text(data, filename=filename, declared_encoding=declared)


def _parse_site_flags(value: str, filename: str, line: int) -> SiteBindingSslFlag:
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) <= 10:
        number = int(text)
        if number > 0xFF:
            raise InputError(
                f"sslFlags={number} has bits this model does not know",
                file=filename,
                line=line,
                field="binding/@sslFlags",
                hint="known bits: 1 SNI, 2 CCS, 4, 8, 16, 32, 64, 128 (R-IIS-3)",
            )
        return SiteBindingSslFlag(number)
    flags = SiteBindingSslFlag.NONE
    for name in text.split(","):
        key = name.strip().casefold()
        if key not in _SITE_FLAG_NAMES:
            raise InputError(
                f"sslFlags={value!r} is neither a number nor binding flag names",
                file=filename,
                line=line,
                field="binding/@sslFlags",
                hint='e.g. sslFlags="1" (SNI)',
            )
        flags |= _SITE_FLAG_NAMES[key]
    return flags


def _require(node: _Node, attribute: str, filename: str) -> str:
    """``node``'s ``attribute``, blank or not (the callers say what a blank value means)."""
    return required_attribute(node, attribute, filename, allow_blank=True, hint=None)


def _read_site(node: _Node, filename: str) -> Site:
    name = _require(node, "name", filename)
    if not name.strip():
        raise InputError("empty site name", file=filename, line=node.line, field="site/@name")
    site_id: int | None = None
    if "id" in node.attrib:
        text = node.attrib["id"].strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 10):
            raise InputError(
                f"site id {node.attrib['id']!r} is not a number",
                file=filename,
                line=node.line,
                field="site/@id",
            )
        site_id = int(text)
    bindings: list[SiteBinding] = []
    applications: list[str] = []
    for child in node.children:
        if child.tag == "application":
            applications.append(_require(child, "path", filename))
        elif child.tag == "bindings":
            for b in child.find_all("binding"):
                protocol = _require(b, "protocol", filename)
                info = _require(b, "bindingInformation", filename)
                flags = SiteBindingSslFlag.NONE
                if "sslFlags" in b.attrib:
                    flags = _parse_site_flags(b.attrib["sslFlags"], filename, b.line)
                if protocol.lower() in ("http", "https"):
                    try:
                        http_sys_endpoint(info, SiteBindingSslFlag.NONE)
                    except InputError as exc:
                        raise InputError(
                            exc.message,
                            file=filename,
                            line=b.line,
                            field="binding/@bindingInformation",
                            hint=exc.hint,
                        ) from None
                sni = protocol.lower() == "https" and flags & SiteBindingSslFlag.SNI
                if sni and not info.rsplit(":", 2)[-1]:
                    raise InputError(
                        "an SNI binding (sslFlags bit 1) needs a host name",
                        file=filename,
                        line=b.line,
                        field="binding/@bindingInformation",
                    )
                bindings.append(
                    SiteBinding(
                        protocol=protocol, binding_information=info, ssl_flags=flags, line=b.line
                    )
                )
    return Site(
        name=name,
        id=site_id,
        bindings=tuple(bindings),
        applications=tuple(applications),
        line=node.line,
    )


def _access_nodes(container: _Node) -> Iterator[_Node]:
    for web in container.find_all("system.webServer"):
        for security in web.find_all("security"):
            yield from security.find_all("access")


def _web_server(container: _Node, *names: str) -> Iterator[_Node]:
    """Elements at ``system.webServer/<names…>`` of a container (the root or a location)."""
    nodes = list(container.find_all("system.webServer"))
    for name in names:
        nodes = [child for node in nodes for child in node.find_all(name)]
    yield from nodes


def _split_location(path: str | None) -> tuple[str | None, str]:
    """``"Portal/admin"`` → ``("Portal", "/admin")``; server level → ``(None, "/")``."""
    if path is None:
        return None, "/"
    cleaned = path.strip().replace("\\", "/").strip("/")
    if cleaned in ("", "."):
        return None, "/"
    site, _, rest = cleaned.partition("/")
    return site, _norm_path(rest) if rest else "/"


def _override_mode(location: _Node) -> str | None:
    mode = location.attrib.get("overrideMode")
    if mode is not None:
        return mode
    allow = location.attrib.get("allowOverride")
    if allow is not None:
        return "Allow" if allow.strip().lower() == "true" else "Deny"
    return None


def parse_application_host_config(
    text: str | bytes,
    *,
    filename: str = "applicationHost.config",
    host: Host | None = None,
) -> AppHostConfig:
    """Read an ``applicationHost.config`` (R-IIS-1 … R-IIS-4).

    ``host`` overrides the IIS / IIS Express guess.  Malformed, truncated, hostile (DTD,
    entities, external references), oversized or non-configuration input raises
    :class:`InputError` naming the file and line.
    """
    decoded = _decode(text, filename)
    root, markers = _parse_xml(decoded, filename)
    if root.tag != "configuration":
        raise InputError(
            f"the root element is <{root.tag}>, not <configuration>",
            file=filename,
            line=root.line,
            hint="pass applicationHost.config (IIS: %windir%\\System32\\inetsrv\\config; "
            "IIS Express: Documents\\IISExpress\\config or .vs\\<solution>\\config)",
        )

    override_default: str | None = None
    for sections in root.find_all("configSections"):
        for web in sections.find_named("sectionGroup", "system.webServer"):
            for security in web.find_named("sectionGroup", "security"):
                for section in security.find_named("section", "access"):
                    override_default = section.attrib.get("overrideModeDefault", override_default)

    sites: list[Site] = []
    seen_sites: dict[str, int] = {}
    for app_host in root.find_all("system.applicationHost"):
        for sites_node in app_host.find_all("sites"):
            for node in sites_node.find_all("site"):
                site = _read_site(node, filename)
                key = site.name.casefold()
                if key in seen_sites:
                    raise InputError(
                        f"site {site.name!r} is defined twice (also line {seen_sites[key]})",
                        file=filename,
                        line=node.line,
                        field="site/@name",
                    )
                seen_sites[key] = node.line
                sites.append(site)

    settings: list[AccessSetting] = []
    seen_paths: dict[tuple[str | None, str], int] = {}

    def add(node: _Node, location: _Node | None) -> None:
        raw = node.attrib.get("sslFlags")
        if raw is None:
            return  # <access /> without sslFlags inherits (R-IIS-1)
        location_path = None if location is None else location.attrib.get("path", "")
        site, path = _split_location(location_path)
        key = (None if site is None else site.casefold(), path)
        if key in seen_paths:
            raise InputError(
                "a second <access> for the same location (IIS refuses duplicate sections; "
                f"first on line {seen_paths[key]})",
                file=filename,
                line=node.line,
                field="access/@sslFlags",
            )
        seen_paths[key] = node.line
        settings.append(
            AccessSetting(
                site=site,
                path=path,
                flags=parse_access_ssl_flags(
                    raw, file=filename, line=node.line, field="access/@sslFlags"
                ),
                raw=raw,
                line=node.line,
                location_path=location_path,
                override_mode=None if location is None else _override_mode(location),
                location_line=None if location is None else location.line,
            )
        )

    locks: list[AccessLock] = []
    for node in _access_nodes(root):
        add(node, None)
    for location in root.find_all("location"):
        for node in _access_nodes(location):
            add(node, location)
            mode = _override_mode(location)
            if mode is not None:
                where, inside = _split_location(location.attrib.get("path", ""))
                allow = mode.strip().casefold() == "allow"
                locks.append(
                    AccessLock(
                        site=where,
                        path=inside,
                        mode="Allow" if allow else "Deny",
                        line=location.line,
                    )
                )
    settings.sort(key=lambda s: s.line)

    mapping_sections: list[MappingSection] = []
    module_edits: list[ModuleEdit] = []
    global_modules: list[GlobalModule] = []
    seen_sections: dict[tuple[str, str | None, str], int] = {}
    containers: list[tuple[_Node, str | None]] = [(root, None)]
    containers += [(loc, loc.attrib.get("path", "")) for loc in root.find_all("location")]
    for container, location_path in containers:
        owner, inside = _split_location(location_path)
        for section_name in (IIS_MAPPING_SECTION, AD_MAPPING_SECTION):
            for node in _web_server(container, "security", "authentication", section_name):
                section_key = (section_name, None if owner is None else owner.casefold(), inside)
                if section_key in seen_sections:
                    raise InputError(
                        f"a second <{section_name}> for the same location (IIS refuses duplicate "
                        f"sections; first on line {seen_sections[section_key]})",
                        file=filename,
                        line=node.line,
                        field=section_name,
                    )
                seen_sections[section_key] = node.line
                mapping_sections.append(
                    read_mapping_section(node, site=owner, path=inside, filename=filename)
                )
        for node in _web_server(container, "modules"):
            module_edits.append(read_module_edit(node, site=owner, path=inside, filename=filename))
        if owner is None:
            for node in _web_server(container, "globalModules"):
                global_modules += read_global_modules(node, filename)
    mapping_sections.sort(key=lambda m: m.line)
    module_edits.sort(key=lambda m: m.line)

    if host is not None:
        host_hint, evidence = host, "given by the caller"
    elif any(m in markers for m in _IIS_EXPRESS_MARKERS):
        found = sorted(m for m in markers if m in _IIS_EXPRESS_MARKERS)
        host_hint, evidence = Host.IIS_EXPRESS, "IIS Express variables: " + ", ".join(found)
    elif any(m in markers for m in _IIS_MARKERS):
        host_hint, evidence = Host.IIS, "full IIS paths (%windir%\\system32\\inetsrv, inetpub)"
    elif any(b.is_https and b.port in IIS_EXPRESS_PORTS for s in sites for b in s.bindings):
        host_hint, evidence = Host.IIS_EXPRESS, "https bindings on ports 44300–44399"
    else:
        host_hint, evidence = Host.IIS, "no IIS Express markers; assuming full IIS"

    return AppHostConfig(
        filename=filename,
        sites=tuple(sites),
        access_settings=tuple(settings),
        access_override_mode_default=override_default,
        host_hint=host_hint,
        host_evidence=evidence,
        access_locks=tuple(locks),
        mapping_sections=tuple(mapping_sections),
        global_modules=tuple(global_modules),
        module_edits=tuple(module_edits),
    )


def read_file(path: str | Path, *, host: Host | None = None) -> AppHostConfig:
    """Read an ``applicationHost.config`` from ``path``."""
    return parse_application_host_config(read_input(path), filename=str(path), host=host)
