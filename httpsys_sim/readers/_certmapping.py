"""Client-certificate mapping and native modules in ``applicationHost.config`` (R-IIS-7.mapping,
R-IIS-8; docs/cli.md#what-diagnose-reads).

What :mod:`httpsys_sim.readers._appconfig` reads besides the access flags:

* ``<system.webServer><security><authentication><iisClientCertificateMappingAuthentication>``
  — ``enabled``, ``oneToOneCertificateMappingsEnabled``, ``manyToOneCertificateMappingsEnabled``,
  the ``<oneToOneMappings>`` (``enabled``, ``userName``, ``certificate``) and
  ``<manyToOneMappings>`` (``name``, ``enabled``, ``permissionMode`` Allow/Deny, ``<rules>``)
  collections with ``<add>``, ``<remove>`` and ``<clear/>`` — and
  ``<clientCertificateMappingAuthentication enabled>`` (Active Directory mapping), at server
  level and in every ``<location path>``; :func:`merge_mapping` computes what applies to a path.
* ``<system.webServer><globalModules>`` (native modules and their DLL) and ``<modules>`` (which
  of them run where).  Whether a native module calls
  ``IHttpRequest::NegotiateClientCertificate`` (R-IIS-8) is not in the configuration: the values
  only say which modules run and whether their DLL ships with IIS.

Values only; the certificate a client presents is not in any export, so whether a mapping rule
matches it is known only where no rule can grant access (:attr:`CertificateMapping.matches`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from httpsys_sim.errors import InputError
from httpsys_sim.windows._certchecks import MappingKind

if TYPE_CHECKING:
    from httpsys_sim.readers._appconfig import _Node

__all__ = [
    "AD_MAPPING_SECTION",
    "IIS_MAPPING_SECTION",
    "CertificateMapping",
    "GlobalModule",
    "ManyToOneMapping",
    "MappingSection",
    "ModuleEdit",
    "OneToOneMapping",
    "merge_mapping",
    "merge_modules",
    "read_global_modules",
    "read_mapping_section",
    "read_module_edit",
    "required_attribute",
]

#: The IIS mapping section (one-to-one, many-to-one; R-IIS-7.mapping).
IIS_MAPPING_SECTION: Final = "iisClientCertificateMappingAuthentication"
#: The Active Directory mapping section (R-IIS-7.mapping-ad).
AD_MAPPING_SECTION: Final = "clientCertificateMappingAuthentication"

_BOOLEANS: Final = MappingProxyType({"true": True, "false": False})
_PERMISSION_MODES: Final = MappingProxyType(
    {"allow": "Allow", "1": "Allow", "deny": "Deny", "2": "Deny"}
)
#: Folders whose DLLs ship with IIS or IIS Express (``%IIS_BIN%``), compared case-folded.
_IIS_FOLDERS: Final = (
    "%windir%\\system32\\inetsrv\\",
    "%systemroot%\\system32\\inetsrv\\",
    "c:\\windows\\system32\\inetsrv\\",
    "%iis_bin%\\",
)


def _boolean(node: _Node, attribute: str, filename: str) -> bool | None:
    raw = node.attrib.get(attribute)
    if raw is None:
        return None
    value = _BOOLEANS.get(raw.strip().casefold())
    if value is None:
        raise InputError(
            f"{attribute}={raw!r} is not a boolean",
            file=filename,
            line=node.line,
            field=f"{node.tag}/@{attribute}",
            hint='IIS takes "true" or "false"',
        )
    return value


def required_attribute(
    node: _Node,
    attribute: str,
    filename: str,
    *,
    allow_blank: bool = False,
    hint: str | None = "IIS refuses such an entry (HTTP 500.19)",
) -> str:
    """``node``'s ``attribute``, or the :class:`InputError` that names the element, its
    line and the attribute; a blank value counts as missing unless ``allow_blank``."""
    value = node.attrib.get(attribute)
    if value is None or (not allow_blank and not value.strip()):
        raise InputError(
            f"<{node.tag}> without the required {attribute!r} attribute",
            file=filename,
            line=node.line,
            field=f"{node.tag}/@{attribute}",
            hint=hint,
        )
    return value


@attrs.frozen(kw_only=True)
class OneToOneMapping:
    """One ``<oneToOneMappings><add>``: a single client certificate → an account."""

    #: The ``certificate`` attribute (base64), the collection's key.
    certificate: str = attrs.field(repr=False)
    #: ``enabled`` (default true).
    enabled: bool = True
    #: ``userName``, when given.
    user_name: str | None = None
    #: 1-based line of the element.
    line: int


@attrs.frozen(kw_only=True)
class ManyToOneMapping:
    """One ``<manyToOneMappings><add>``: certificates whose fields match its rules → an account,
    or denied (``permissionMode="Deny"``)."""

    #: ``name``, the collection's key.
    name: str
    #: ``enabled`` (default true).
    enabled: bool = True
    #: ``Allow`` (default) or ``Deny``.
    permission_mode: str = "Allow"
    #: How many ``<rules><add>`` it has.
    rules: int = 0
    #: 1-based line of the element.
    line: int


@attrs.frozen(kw_only=True)
class MappingSection:
    """One occurrence of a mapping section (server level or one ``<location>``)."""

    #: :data:`IIS_MAPPING_SECTION` or :data:`AD_MAPPING_SECTION`.
    section: str
    #: Site it applies to (None: server level).
    site: str | None
    #: Path inside the site, ``/`` for its root.
    path: str
    #: 1-based line of the element.
    line: int
    #: ``enabled``; None when not written (inherited).
    enabled: bool | None = None
    #: ``oneToOneCertificateMappingsEnabled`` (None: inherited, default true).
    one_to_one_enabled: bool | None = None
    #: ``manyToOneCertificateMappingsEnabled`` (None: inherited, default true).
    many_to_one_enabled: bool | None = None
    #: ``<oneToOneMappings><clear/>`` is present.
    clear_one_to_one: bool = False
    #: ``<oneToOneMappings><remove certificate>`` keys.
    removed_one_to_one: tuple[str, ...] = attrs.field(default=(), repr=False)
    #: ``<oneToOneMappings><add>`` entries.
    one_to_one: tuple[OneToOneMapping, ...] = ()
    #: ``<manyToOneMappings><clear/>`` is present.
    clear_many_to_one: bool = False
    #: ``<manyToOneMappings><remove name>`` keys (case-folded).
    removed_many_to_one: tuple[str, ...] = ()
    #: ``<manyToOneMappings><add>`` entries.
    many_to_one: tuple[ManyToOneMapping, ...] = ()


def read_mapping_section(
    node: _Node, *, site: str | None, path: str, filename: str
) -> MappingSection:
    """One mapping section element; malformed attributes are an :class:`InputError` (IIS
    would refuse the file: 500.19)."""
    enabled = _boolean(node, "enabled", filename)
    if node.tag != IIS_MAPPING_SECTION:
        return MappingSection(
            section=node.tag, site=site, path=path, line=node.line, enabled=enabled
        )
    clear_one = clear_many = False
    ones: list[OneToOneMapping] = []
    manys: list[ManyToOneMapping] = []
    removed_one: list[str] = []
    removed_many: list[str] = []
    for collection in node.children:
        if collection.tag == "oneToOneMappings":
            for item in collection.children:
                if item.tag == "clear":
                    clear_one = True
                    ones.clear()
                elif item.tag == "remove":
                    removed_one.append(required_attribute(item, "certificate", filename).strip())
                elif item.tag == "add":
                    ones.append(
                        OneToOneMapping(
                            certificate=required_attribute(item, "certificate", filename).strip(),
                            enabled=_boolean(item, "enabled", filename) is not False,
                            user_name=item.attrib.get("userName"),
                            line=item.line,
                        )
                    )
        elif collection.tag == "manyToOneMappings":
            for item in collection.children:
                if item.tag == "clear":
                    clear_many = True
                    manys.clear()
                elif item.tag == "remove":
                    removed_many.append(
                        required_attribute(item, "name", filename).strip().casefold()
                    )
                elif item.tag == "add":
                    manys.append(_many_to_one(item, filename))
    return MappingSection(
        section=node.tag,
        site=site,
        path=path,
        line=node.line,
        enabled=enabled,
        one_to_one_enabled=_boolean(node, "oneToOneCertificateMappingsEnabled", filename),
        many_to_one_enabled=_boolean(node, "manyToOneCertificateMappingsEnabled", filename),
        clear_one_to_one=clear_one,
        removed_one_to_one=tuple(removed_one),
        one_to_one=tuple(ones),
        clear_many_to_one=clear_many,
        removed_many_to_one=tuple(removed_many),
        many_to_one=tuple(manys),
    )


def _many_to_one(item: _Node, filename: str) -> ManyToOneMapping:
    name = required_attribute(item, "name", filename)
    raw_mode = item.attrib.get("permissionMode", "Allow")
    mode = _PERMISSION_MODES.get(raw_mode.strip().casefold())
    if mode is None:
        raise InputError(
            f"permissionMode={raw_mode!r} is neither Allow nor Deny",
            file=filename,
            line=item.line,
            field="add/@permissionMode",
            hint='IIS takes "Allow" (1) or "Deny" (2)',
        )
    rules = sum(1 for r in item.children if r.tag == "rules" for a in r.children if a.tag == "add")
    return ManyToOneMapping(
        name=name.strip(),
        enabled=_boolean(item, "enabled", filename) is not False,
        permission_mode=mode,
        rules=rules,
        line=item.line,
    )


@attrs.frozen(kw_only=True)
class CertificateMapping:
    """The client-certificate mapping IIS applies to one path, every level merged
    (R-IIS-7.mapping, R-IIS-7.mapping-ad)."""

    #: ``iisClientCertificateMappingAuthentication`` is enabled.
    iis_enabled: bool = False
    #: ``clientCertificateMappingAuthentication`` (Active Directory) is enabled.
    ad_enabled: bool = False
    #: ``oneToOneCertificateMappingsEnabled``.
    one_to_one_enabled: bool = True
    #: ``manyToOneCertificateMappingsEnabled``.
    many_to_one_enabled: bool = True
    #: The one-to-one mappings in effect (every level merged).
    one_to_one: tuple[OneToOneMapping, ...] = ()
    #: The many-to-one mappings in effect.
    many_to_one: tuple[ManyToOneMapping, ...] = ()
    #: ``line`` of every section element applied, in IIS's order.
    lines: tuple[int, ...] = ()

    @property
    def granting(self) -> int:
        """How many enabled mappings can map a certificate to an account: one-to-one ones
        (when that kind is on) and many-to-one ones with ``permissionMode="Allow"``."""
        ones = sum(m.enabled for m in self.one_to_one) if self.one_to_one_enabled else 0
        manys = (
            sum(m.enabled and m.permission_mode == "Allow" for m in self.many_to_one)
            if self.many_to_one_enabled
            else 0
        )
        return ones + manys

    @property
    def kind(self) -> MappingKind:
        """The mapping the model applies: IIS mapping first, then Active Directory."""
        if self.iis_enabled:
            active_ones = self.one_to_one_enabled and any(m.enabled for m in self.one_to_one)
            if not active_ones and self.many_to_one:
                return MappingKind.MANY_TO_ONE
            return MappingKind.ONE_TO_ONE
        if self.ad_enabled:
            return MappingKind.ACTIVE_DIRECTORY
        return MappingKind.NONE

    @property
    def matches(self) -> bool | None:
        """Whether the client's certificate maps: False when IIS mapping is on and no enabled
        mapping can grant access (every one disabled or ``Deny``), None when it depends on the
        certificate, which no export holds."""
        if self.kind in (MappingKind.ONE_TO_ONE, MappingKind.MANY_TO_ONE) and not self.granting:
            return False
        return None

    def describe(self) -> str:
        """In words, for notes and evidence."""
        if self.kind is MappingKind.NONE:
            return "no client-certificate mapping"
        if self.kind is MappingKind.ACTIVE_DIRECTORY:
            return "Active Directory client-certificate mapping"
        ones = sum(m.enabled for m in self.one_to_one)
        allow = sum(m.enabled and m.permission_mode == "Allow" for m in self.many_to_one)
        deny = sum(m.enabled and m.permission_mode == "Deny" for m in self.many_to_one)
        parts = [
            f"{ones} enabled one-to-one"
            + ("" if self.one_to_one_enabled else " (one-to-one mappings switched off)"),
            f"{allow} Allow and {deny} Deny many-to-one"
            + ("" if self.many_to_one_enabled else " (many-to-one mappings switched off)"),
        ]
        extra = " (Active Directory mapping is enabled too)" if self.ad_enabled else ""
        return "IIS client-certificate mapping: " + ", ".join(parts) + extra


def merge_mapping(levels: Iterable[MappingSection]) -> CertificateMapping:
    """The mapping in effect after applying ``levels`` in IIS's order (server level first):
    attributes written at a deeper level win, collections accumulate, ``<clear/>`` and
    ``<remove>`` drop what was inherited."""
    iis = ad = False
    ones_on = manys_on = True
    ones: dict[str, OneToOneMapping] = {}
    manys: dict[str, ManyToOneMapping] = {}
    lines: list[int] = []
    for level in levels:
        lines.append(level.line)
        if level.section == AD_MAPPING_SECTION:
            if level.enabled is not None:
                ad = level.enabled
            continue
        if level.enabled is not None:
            iis = level.enabled
        if level.one_to_one_enabled is not None:
            ones_on = level.one_to_one_enabled
        if level.many_to_one_enabled is not None:
            manys_on = level.many_to_one_enabled
        if level.clear_one_to_one:
            ones.clear()
        for key in level.removed_one_to_one:
            ones.pop(key, None)
        for one in level.one_to_one:
            ones[one.certificate] = one
        if level.clear_many_to_one:
            manys.clear()
        for key in level.removed_many_to_one:
            manys.pop(key, None)
        for many in level.many_to_one:
            manys[many.name.casefold()] = many
    return CertificateMapping(
        iis_enabled=iis,
        ad_enabled=ad,
        one_to_one_enabled=ones_on,
        many_to_one_enabled=manys_on,
        one_to_one=tuple(ones.values()),
        many_to_one=tuple(manys.values()),
        lines=tuple(lines),
    )


@attrs.frozen(kw_only=True)
class GlobalModule:
    """One ``<globalModules><add name image>``: a native module and its DLL."""

    name: str
    #: ``image``, as written (``%windir%\\System32\\inetsrv\\static.dll``).
    image: str
    #: 1-based line of the element.
    line: int

    @property
    def ships_with_iis(self) -> bool:
        """The DLL lies in IIS's own folder (``inetsrv``, or IIS Express's ``%IIS_BIN%``)."""
        return self.image.strip().casefold().startswith(_IIS_FOLDERS)


def read_global_modules(node: _Node, filename: str) -> tuple[GlobalModule, ...]:
    """The ``<add>`` entries of one ``<globalModules>`` element (``<clear/>`` and
    ``<remove>`` applied in order)."""
    found: dict[str, GlobalModule] = {}
    for item in node.children:
        if item.tag == "clear":
            found.clear()
        elif item.tag == "remove":
            found.pop(required_attribute(item, "name", filename).strip().casefold(), None)
        elif item.tag == "add":
            name = required_attribute(item, "name", filename).strip()
            image = required_attribute(item, "image", filename)
            found[name.casefold()] = GlobalModule(name=name, image=image, line=item.line)
    return tuple(found.values())


@attrs.frozen(kw_only=True)
class ModuleEdit:
    """One ``<modules>`` element: which modules it adds, removes, or whether it clears."""

    site: str | None
    path: str
    line: int
    clear: bool = False
    #: Module names removed (case-folded).
    removed: tuple[str, ...] = ()
    #: Module names added (as written).
    added: tuple[str, ...] = ()


def read_module_edit(node: _Node, *, site: str | None, path: str, filename: str) -> ModuleEdit:
    """One ``<modules>`` element."""
    clear = False
    removed: list[str] = []
    added: list[str] = []
    for item in node.children:
        if item.tag == "clear":
            clear = True
            added.clear()
            removed.clear()
        elif item.tag == "remove":
            removed.append(required_attribute(item, "name", filename).strip().casefold())
        elif item.tag == "add":
            added.append(required_attribute(item, "name", filename).strip())
    return ModuleEdit(
        site=site,
        path=path,
        line=node.line,
        clear=clear,
        removed=tuple(removed),
        added=tuple(added),
    )


def merge_modules(
    global_modules: Sequence[GlobalModule], edits: Iterable[ModuleEdit]
) -> tuple[GlobalModule, ...]:
    """The native modules that run for a path: those of ``global_modules`` the ``<modules>``
    levels (server level first) leave added."""
    names: dict[str, None] = {}
    for edit in edits:
        if edit.clear:
            names.clear()
        for name in edit.removed:
            names.pop(name, None)
        for name in edit.added:
            names[name.casefold()] = None
    by_name = {m.name.casefold(): m for m in global_modules}
    return tuple(by_name[name] for name in names if name in by_name)
