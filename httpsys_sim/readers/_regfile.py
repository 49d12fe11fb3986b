"""Reader of registry exports (``.reg``) for Schannel and http.sys settings (R-TLS-2, R-REQ-1).

Reads files written by ``regedit /e`` or ``reg export``: ``Windows Registry Editor Version
5.00`` (UTF-16 LE with a BOM) or ``REGEDIT4`` (ANSI), with ``;`` comments, deleted keys
``[-…]`` and values ``"x"=-``, and ``\\``-continued ``hex(…)`` data.  It interprets:

* ``HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL``:
  ``DisableRenegoOnServer``, ``DisableRenegoOnClient``, ``AllowInsecureRenegoClients``,
  ``AllowInsecureRenegoServers``, ``UseScsvForTls`` (S25), the trust settings
  ``SendTrustedIssuerList`` and ``ClientAuthTrustMode`` (R-IIS-7.trust-list,
  R-IIS-7.trust-mode), and ``Protocols\\<SSL 3.0|TLS 1.x>\\Server|Client`` ``Enabled`` /
  ``DisabledByDefault`` (S3 S4);
* ``HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters``: ``EnableHttp3`` (S37) and
  the per-binding ``SslBindingInfo\\<ip:port>`` (also ``SslSniBindingInfo``,
  ``SslCcsBindingInfo``) ``DefaultFlags`` (R-REQ-1, S38) and the certificate checks
  ``DefaultSslCertCheckMode``, ``DefaultSslRevocationFreshnessTime``,
  ``DefaultSslRevocationUrlRetrievalTimeout``, ``DefaultSslCtlIdentifier``,
  ``DefaultSslCtlStoreName`` (R-BIND-1.registry; docs/cli.md#what-diagnose-reads).

Everything else is checked for syntax and otherwise ignored.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Final

import attrs

from httpsys_sim.errors import InputError
from httpsys_sim.readers._text import FrozenMapping, decode_text, read_input, split_lines
from httpsys_sim.windows._binding import CertCheckMode, SslBinding
from httpsys_sim.windows._schannel import SchannelSettings

__all__ = [
    "HTTP_PARAMETERS_KEY",
    "RegBinding",
    "RegValue",
    "SchannelExport",
    "parse_schannel_reg",
    "read_file",
]

#: Where http.sys keeps its parameters and SSL binding stores (S38).
HTTP_PARAMETERS_KEY: Final = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters"

_HEADERS: Final = MappingProxyType(
    {"windows registry editor version 5.00": "5.00", "regedit4": "4"}
)
_ROOTS: Final = MappingProxyType({"hkey_local_machine": "HKLM", "hklm": "HKLM"})
_HEX_TYPE: Final = re.compile(r"hex(?:\(([0-9a-fA-F]{1,8})\))?:", re.ASCII)
_HEX_BYTE: Final = re.compile(r"[0-9a-fA-F]{2}", re.ASCII)
_DWORD: Final = re.compile(r"dword:([0-9a-fA-F]{1,8})", re.ASCII)
_CONTROL_SET: Final = re.compile(r"(?:currentcontrolset|controlset\d{3})")

#: Schannel value → :class:`SchannelSettings` field (S25).
_SCHANNEL_VALUES: Final = MappingProxyType(
    {
        "disablerenegoonserver": "disable_reneg_on_server",
        "disablerenegoonclient": "disable_reneg_on_client",
        "allowinsecurerenegoclients": "allow_insecure_reneg_clients",
        "allowinsecurerenegoservers": "allow_insecure_reneg_servers",
        "usescsvfortls": "use_scsv_for_tls",
    }
)
#: Protocol subkey → :data:`~httpsys_sim.windows._schannel.PROTOCOL_VERSIONS` name (S3).
_PROTOCOL_KEYS: Final = MappingProxyType(
    {
        "ssl 2.0": "ssl2",
        "ssl 3.0": "ssl3",
        "tls 1.0": "1.0",
        "tls 1.1": "1.1",
        "tls 1.2": "1.2",
        "tls 1.3": "1.3",
    }
)
#: A binding's certificate-check settings → the value names that hold them: first the name
#: http.sys writes (R-BIND-1.registry), then the ``HTTP_SERVICE_CONFIG_SSL_PARAM`` member
#: names, accepted too.
_CERT_CHECK_VALUES: Final = MappingProxyType(
    {
        "mode": ("DefaultSslCertCheckMode", "DefaultCertCheckMode"),
        "freshness": ("DefaultSslRevocationFreshnessTime", "DefaultRevocationFreshnessTime"),
        "timeout": (
            "DefaultSslRevocationUrlRetrievalTimeout",
            "DefaultRevocationUrlRetrievalTimeout",
        ),
        "ctl_identifier": ("DefaultSslCtlIdentifier", "SslCtlIdentifier"),
        "ctl_store": ("DefaultSslCtlStoreName", "SslCtlStoreName"),
    }
)
#: Every ``DefaultCertCheckMode`` bit a release defines (R-BIND-1).
_KNOWN_CHECK_MODE_BITS: Final = sum(int(bit) for bit in CertCheckMode)
#: ``ClientAuthTrustMode`` values: 0 machine trust, 1 exclusive root trust, 2 exclusive CA
#: trust (R-IIS-7.trust-mode).
_TRUST_MODES: Final = (0, 1, 2)

#: http.sys binding store subkey → how its child key names the endpoint.
_BINDING_STORES: Final = MappingProxyType(
    {
        "sslbindinginfo": ("ipport", "SslBindingInfo"),
        "sslsnibindinginfo": ("hostnameport", "SslSniBindingInfo"),
        "sslccsbindinginfo": ("ccs", "SslCcsBindingInfo"),
    }
)


@attrs.frozen(kw_only=True)
class RegValue:
    """One value of the export: its type (``"sz"``, ``"dword"``, ``"hex(N)"``) and data."""

    #: ``sz``, ``dword`` or ``hex(N)`` (``hex`` is ``hex(3)``, REG_BINARY).
    kind: str
    #: ``str`` for sz, ``int`` for dword, ``bytes`` for hex data.
    data: str | int | bytes
    #: 1-based line where the value starts.
    line: int


@attrs.frozen(kw_only=True)
class RegBinding:
    """One http.sys SSL binding read from the registry (``SslBindingInfo\\0.0.0.0:443``,
    ``SslSniBindingInfo\\host:443`` or ``SslCcsBindingInfo\\0.0.0.0:443``; R-BIND-1, S38)."""

    #: The binding, with the kind its store implies.
    binding: SslBinding
    #: ``SslBindingInfo``, ``SslSniBindingInfo`` or ``SslCcsBindingInfo``.
    store: str
    #: The key name as written (``0.0.0.0:443``, ``portal.contoso.test:443``).
    key: str
    #: 1-based line of the ``[KEY]`` line.
    line: int
    #: ``DefaultFlags`` as stored, unknown bits included (0 when absent).
    flags: int = 0
    #: Value name → 1-based line.
    value_lines: FrozenMapping[int] = attrs.field(factory=FrozenMapping)

    @property
    def registry_path(self) -> str:
        """The key's full path, as ``reg add`` takes it."""
        return f"{HTTP_PARAMETERS_KEY}\\{self.store}\\{self.key}"


@attrs.frozen(kw_only=True)
class SchannelExport:
    """What a ``.reg`` export says about Schannel and http.sys (R-TLS-2, R-REQ-1)."""

    #: Schannel settings (values absent from the file keep Windows' defaults; S25).
    settings: SchannelSettings
    #: ``EnableHttp3`` (S37): None when the export does not contain it.
    http3_enabled: bool | None = None
    #: Binding endpoint (``0.0.0.0:443``, ``host:443``, ``ccs:443``) → ``DefaultFlags`` (S38).
    binding_flags: FrozenMapping[int] = attrs.field(factory=FrozenMapping)
    #: Binding endpoint → ``DefaultSslCertCheckMode`` when present.
    binding_cert_check_modes: FrozenMapping[int] = attrs.field(factory=FrozenMapping)
    #: Setting name (``DisableRenegoOnServer``, ``Protocols\\TLS 1.3\\Server\\Enabled``,
    #: ``SslBindingInfo\\0.0.0.0:443\\DefaultFlags`` …) → the line it was read from.
    value_lines: FrozenMapping[int] = attrs.field(factory=FrozenMapping)
    #: Every http.sys SSL binding of the export, each kind (R-BIND-1), in file order.
    bindings: tuple[RegBinding, ...] = ()
    #: The name used in error messages.
    filename: str = "<reg>"
    #: Schannel ``SendTrustedIssuerList`` (R-IIS-7.trust-list): None when the export does not
    #: contain it (Windows' default since Server 2012: not sent).
    send_trusted_issuer_list: bool | None = None
    #: Schannel ``ClientAuthTrustMode`` 0 / 1 / 2 (R-IIS-7.trust-mode): None when absent
    #: (default 0, machine trust).
    client_auth_trust_mode: int | None = None


def _error(
    message: str, filename: str, line: int, field: str | None = None, hint: str | None = None
) -> InputError:
    return InputError(message, file=filename, line=line, field=field, hint=hint)


def _logical_lines(lines: list[str], filename: str) -> list[tuple[int, str]]:
    """Join ``\\``-continued lines; each result carries the line where it started."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for index, raw in enumerate(lines):
        text = raw.rstrip()
        if pending:
            text = text.lstrip()
            if not text:
                break  # regedit never follows a '\' with an empty line: cut short
        else:
            start = index + 1
        if text.endswith("\\") and not text.lstrip().startswith(("[", ";")):
            pending.append(text[:-1])
            continue
        out.append((start, "".join(pending) + text))
        pending = []
    if pending:
        raise _error(
            "the value continues ('\\' at line end) past the end of its data",
            filename,
            start,
            hint="the export was cut short; export it again",
        )
    return out


def _read_quoted(text: str, pos: int, filename: str, line: int) -> tuple[str, int]:
    """Read a ``"…"`` string with regedit's ``\\\\`` / ``\\"`` escapes starting at ``pos``."""
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in '\\"':
            out.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise _error("unterminated string", filename, line, hint="a quote is missing")


def _read_hex(body: str, filename: str, line: int, name: str) -> bytes:
    tokens = [t.strip() for t in body.split(",")]
    if tokens == [""]:
        return b""
    for token in tokens:
        if not _HEX_BYTE.fullmatch(token):
            raise _error(f"{token!r} is not a hex byte", filename, line, field=name)
    return bytes(int(t, 16) for t in tokens)


def _read_value(text: str, filename: str, line: int) -> tuple[str, RegValue | None]:
    """Parse ``"name"=data`` / ``@=data``; a deleted value gives ``(name, None)``."""
    if text.startswith("@"):
        name, pos = "@", 1
    elif text.startswith('"'):
        name, pos = _read_quoted(text, 0, filename, line)
    else:
        raise _error(
            f"cannot read this line: {text[:60]!r}",
            filename,
            line,
            hint='expected [KEY], "Name"=value or a ; comment',
        )
    rest = text[pos:].lstrip()
    if not rest.startswith("="):
        raise _error(f"value {name!r} has no '='", filename, line, field=name)
    data = rest[1:].strip()
    if data == "-":
        return name, None
    if data.startswith('"'):
        value, end = _read_quoted(data, 0, filename, line)
        if data[end:].strip():
            raise _error(f"text after the string of {name!r}", filename, line, field=name)
        return name, RegValue(kind="sz", data=value, line=line)
    match = _DWORD.fullmatch(data)
    if match is not None:
        return name, RegValue(kind="dword", data=int(match.group(1), 16), line=line)
    match = _HEX_TYPE.match(data)
    if match is not None:
        kind = f"hex({int(match.group(1), 16):x})" if match.group(1) else "hex(3)"
        raw = _read_hex(data[match.end() :], filename, line, name)
        return name, RegValue(kind=kind, data=raw, line=line)
    if data.lower().startswith("dword:"):
        raise _error(f"{data!r} is not a dword (up to 8 hex digits)", filename, line, field=name)
    raise _error(
        f"cannot read the data of {name!r}: {data[:40]!r}",
        filename,
        line,
        field=name,
        hint='expected "text", dword:00000001, hex:… or hex(N):…',
    )


def _key_parts(path: str, filename: str, line: int) -> tuple[str, ...]:
    parts = tuple(p.casefold() for p in path.split("\\"))
    if not path or any(p == "" for p in parts):
        raise _error(f"malformed key [{path}]", filename, line)
    return parts


def _dword(value: RegValue, filename: str, name: str) -> int:
    if value.kind == "dword" and isinstance(value.data, int):
        return value.data
    if value.kind == "hex(4)" and isinstance(value.data, bytes) and len(value.data) == 4:
        return int.from_bytes(value.data, "little")
    raise _error(
        f"{name} should be a DWORD, not {value.kind}",
        filename,
        value.line,
        field=name,
        hint=f'"{name}"=dword:00000001',
    )


class _KeyTree:
    """The keys of an export as a tree, so that deleting ``[-KEY]`` drops its whole subtree
    in time proportional to the key's depth, not to the number of keys read so far."""

    __slots__ = ("children", "line", "values")

    def __init__(self) -> None:
        self.children: dict[str, _KeyTree] = {}
        #: ``None`` for a key only known as the parent of others (never opened itself).
        self.values: dict[str, tuple[str, RegValue]] | None = None
        #: 1-based line of the key's first ``[KEY]`` line.
        self.line = 0

    def open(self, parts: tuple[str, ...], line: int) -> dict[str, tuple[str, RegValue]]:
        node = self
        for part in parts:
            node = node.children.setdefault(part, _KeyTree())
        if node.values is None:
            node.values = {}
            node.line = line
        return node.values

    def delete(self, parts: tuple[str, ...]) -> None:
        node = self
        for part in parts[:-1]:
            child = node.children.get(part)
            if child is None:
                return
            node = child
        node.children.pop(parts[-1], None)

    def walk(self) -> Iterator[tuple[tuple[str, ...], _KeyTree]]:
        """Every opened key (depth first, children in file order)."""
        stack: list[tuple[tuple[str, ...], _KeyTree]] = [((), self)]
        while stack:
            parts, node = stack.pop()
            if node.values is not None:
                yield parts, node
            stack.extend(((*parts, name), child) for name, child in reversed(node.children.items()))


def parse_schannel_reg(text: str | bytes, *, filename: str = "<reg>") -> SchannelExport:
    """Read a ``.reg`` export into Schannel settings and http.sys binding flags.

    Malformed lines, a missing header, truncation, binary or oversized input raise
    :class:`InputError` with the file and line.
    """
    decoded = decode_text(text, filename=filename, legacy_encoding="cp1252")
    logical = _logical_lines(split_lines(decoded), filename)

    header_seen = False
    tree = _KeyTree()
    values: dict[str, tuple[str, RegValue]] | None = None
    for line, content in logical:
        stripped = content.strip()
        if not stripped:
            continue
        if not header_seen:
            if stripped.casefold() not in _HEADERS:
                raise _error(
                    "not a registry export: the first line should be "
                    "'Windows Registry Editor Version 5.00' or 'REGEDIT4'",
                    filename,
                    line,
                    hint="export with: regedit /e schannel.reg "
                    '"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\'
                    'SecurityProviders\\SCHANNEL"',
                )
            header_seen = True
            continue
        if stripped.startswith(";"):
            continue
        if stripped.startswith("["):
            if not stripped.endswith("]"):
                raise _error(f"key line without ']': {stripped[:60]!r}", filename, line)
            inner = stripped[1:-1]
            if inner.startswith("-"):
                tree.delete(_key_parts(inner[1:], filename, line))
                values = None
                continue
            values = tree.open(_key_parts(inner, filename, line), line)
            continue
        name, value = _read_value(stripped, filename, line)
        if values is None:
            raise _error(
                f"value {name!r} outside any [key] (or under a deleted one)", filename, line
            )
        if value is None:
            values.pop(name.casefold(), None)
        else:
            values[name.casefold()] = (name, value)
    if not header_seen:
        raise _error(
            "empty file: no 'Windows Registry Editor Version 5.00' header",
            filename,
            1,
            hint="pass the .reg file regedit or reg export wrote",
        )
    keys = dict(tree.walk())
    return _interpret(keys, filename)


def _reg_text(value: RegValue, filename: str, name: str) -> str:
    if value.kind == "sz" and isinstance(value.data, str):
        return value.data
    raise _error(
        f"{name} should be a string, not {value.kind}",
        filename,
        value.line,
        field=name,
        hint=f'"{name}"="text", as regedit exports a REG_SZ',
    )


def _reg_bytes(value: RegValue, filename: str, name: str, size: int | None = None) -> bytes:
    if isinstance(value.data, bytes) and (size is None or len(value.data) == size):
        return value.data
    raise _error(
        f"{name} should be binary data"
        + (f" of {size} bytes" if size is not None else "")
        + f", not {value.kind}",
        filename,
        value.line,
        field=name,
    )


def _read_binding(
    store: str,
    key_name: str,
    node: _KeyTree,
    filename: str,
) -> RegBinding:
    """One ``SslBindingInfo`` / ``SslSniBindingInfo`` / ``SslCcsBindingInfo`` key (R-BIND-1)."""
    kind, store_name = _BINDING_STORES[store]
    values = node.values or {}
    endpoint = key_name
    if kind == "ccs":
        endpoint = "ccs:" + key_name.rpartition(":")[2]
    fields: dict[str, object] = {"endpoint": endpoint, "kind": kind}
    lines: dict[str, int] = {}

    def get(name: str) -> RegValue | None:
        entry = values.get(name.casefold())
        if entry is None:
            return None
        lines[entry[0]] = entry[1].line
        return entry[1]

    def first(names: tuple[str, ...]) -> tuple[str, RegValue] | None:
        """The one value of ``names`` the key holds (an observed name or an alias); two of
        them for one setting is an edited export."""
        found = [(name, entry[1]) for name in names if (entry := values.get(name.casefold()))]
        if len(found) > 1:
            raise _error(
                f"{found[0][0]} and {found[1][0]} both set the same binding setting",
                filename,
                found[1][1].line,
                field=found[1][0],
                hint=f"http.sys writes {names[0]}; remove the other value",
            )
        if not found:
            return None
        name, value = found[0]
        lines[name] = value.line
        return name, value

    flags = mode = 0
    if (v := get("DefaultFlags")) is not None:
        flags = _dword(v, filename, "DefaultFlags")
    if (nv := first(_CERT_CHECK_VALUES["mode"])) is not None:
        mode = _dword(nv[1], filename, nv[0])
        unknown = mode & ~_KNOWN_CHECK_MODE_BITS
        if unknown:
            raise _error(
                f"{nv[0]}=0x{mode:x} has bits no Windows release defines (0x{unknown:x})",
                filename,
                nv[1].line,
                field=nv[0],
                hint="DefaultCertCheckMode bits: 0x1 no revocation check, 0x2 cached CRLs only, "
                "0x4 freshness time, 0x10000 no usage check (R-BIND-1)",
            )
    if (v := get("SslCertHash")) is not None:
        raw = _reg_bytes(v, filename, "SslCertHash")
        fields["certificate_hash"] = raw.hex() if raw else None
    if (v := get("AppId")) is not None:
        fields["app_id"] = "{" + str(uuid.UUID(bytes_le=_reg_bytes(v, filename, "AppId", 16))) + "}"
    if (v := get("SslCertStoreName")) is not None:
        fields["cert_store"] = _reg_text(v, filename, "SslCertStoreName") or None
    for key, field in (("ctl_identifier", "ctl_identifier"), ("ctl_store", "ctl_store_name")):
        if (nv := first(_CERT_CHECK_VALUES[key])) is not None:
            fields[field] = _reg_text(nv[1], filename, nv[0]) or None
    if (nv := first(_CERT_CHECK_VALUES["freshness"])) is not None:
        freshness = _dword(nv[1], filename, nv[0])
        if mode & 0x4:  # http.sys uses the time only with CertCheckMode 0x4 (R-BIND-1)
            fields["revocation_freshness_time"] = freshness
    if (nv := first(_CERT_CHECK_VALUES["timeout"])) is not None:
        fields["url_retrieval_timeout"] = _dword(nv[1], filename, nv[0]) or None
    try:
        binding = SslBinding.from_flags(flags, mode, **fields)
    except InputError as exc:
        raise _error(
            f"[{store_name}\\{key_name}]: {exc.message}",
            filename,
            node.line,
            field=exc.field,
            hint=exc.hint,
        ) from None
    return RegBinding(
        binding=binding,
        store=store_name,
        key=key_name,
        line=node.line,
        flags=flags,
        value_lines=FrozenMapping(lines),
    )


def _interpret(keys: dict[tuple[str, ...], _KeyTree], filename: str) -> SchannelExport:
    settings: dict[str, bool] = {}
    protocols: dict[str, dict[str, dict[str, int]]] = {"server": {}, "client": {}}
    http3: bool | None = None
    issuer_list: bool | None = None
    trust_mode: int | None = None
    flags: dict[str, int] = {}
    modes: dict[str, int] = {}
    lines: dict[str, int] = {}
    bindings: list[RegBinding] = []
    # Key names as written (the tree's parts are case-folded).
    for parts, node in keys.items():
        values = node.values or {}
        if len(parts) < 3 or _ROOTS.get(parts[0]) != "HKLM" or parts[1] != "system":
            continue
        if not _CONTROL_SET.fullmatch(parts[2]):
            continue
        tail = parts[3:]
        if tail[:3] == ("control", "securityproviders", "schannel"):
            sub = tail[3:]
            if not sub:
                for folded, (name, value) in values.items():
                    field = _SCHANNEL_VALUES.get(folded)
                    if field is not None:
                        settings[field] = _dword(value, filename, name) != 0
                        lines[name] = value.line
                    elif folded == "sendtrustedissuerlist":
                        issuer_list = _dword(value, filename, name) != 0
                        lines[name] = value.line
                    elif folded == "clientauthtrustmode":
                        trust_mode = _dword(value, filename, name)
                        if trust_mode not in _TRUST_MODES:
                            raise _error(
                                f"ClientAuthTrustMode={trust_mode} is not a trust mode",
                                filename,
                                value.line,
                                field=name,
                                hint="0 machine trust (default), 1 exclusive root trust, "
                                "2 exclusive CA trust",
                            )
                        lines[name] = value.line
            elif len(sub) == 3 and sub[0] == "protocols" and sub[2] in ("server", "client"):
                version = _PROTOCOL_KEYS.get(sub[1])
                if version is None:
                    continue
                for folded, (name, value) in values.items():
                    if folded in ("enabled", "disabledbydefault"):
                        number = _dword(value, filename, name)
                        protocols[sub[2]].setdefault(version, {})[folded] = number
                        label = f"Protocols\\{sub[1].upper()}\\{sub[2].title()}\\{name}"
                        lines[label] = value.line
        elif tail[:3] == ("services", "http", "parameters"):
            sub = tail[3:]
            if not sub:
                entry = values.get("enablehttp3")
                if entry is not None:
                    http3 = _dword(entry[1], filename, entry[0]) != 0
                    lines[entry[0]] = entry[1].line
            elif len(sub) == 2 and sub[0] in _BINDING_STORES:
                found = _read_binding(sub[0], sub[1], node, filename)
                bindings.append(found)
                endpoint = found.binding.endpoint
                if found.flags or "DefaultFlags" in found.value_lines:
                    flags[endpoint] = found.flags
                    lines[f"{found.store}\\{endpoint}\\DefaultFlags"] = found.value_lines[
                        "DefaultFlags"
                    ]
                for name in _CERT_CHECK_VALUES["mode"]:
                    entry = values.get(name.casefold())
                    if entry is not None:
                        modes[endpoint] = _dword(entry[1], filename, entry[0])
                        lines[f"{found.store}\\{endpoint}\\{entry[0]}"] = entry[1].line

    def effective(found: dict[str, dict[str, int]]) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for version, entries in found.items():
            enabled = entries.get("enabled")
            disabled_by_default = entries.get("disabledbydefault")
            if enabled == 0 or (disabled_by_default is not None and disabled_by_default != 0):
                out[version] = False  # off, or off unless an app asks (http.sys does not)
            elif enabled is not None:
                out[version] = True
        return out

    return SchannelExport(
        settings=SchannelSettings(
            **settings,
            server_protocols=effective(protocols["server"]),
            client_protocols=effective(protocols["client"]),
        ),
        http3_enabled=http3,
        binding_flags=FrozenMapping(flags),
        binding_cert_check_modes=FrozenMapping(modes),
        bindings=tuple(sorted(bindings, key=lambda b: b.line)),
        value_lines=FrozenMapping(lines),
        filename=filename,
        send_trusted_issuer_list=issuer_list,
        client_auth_trust_mode=trust_mode,
    )


def read_file(path: str | Path) -> SchannelExport:
    """Read a ``.reg`` export from ``path``."""
    return parse_schannel_reg(read_input(path), filename=str(path))
