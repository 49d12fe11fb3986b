"""Reader of ``netsh http show sslcert`` output (R-BIND-2, S5 S7).

The listing is a header ``SSL Certificate bindings:``, a dashed line, then one block of
``Label : Value`` lines per binding, opened by ``IP:port``, ``Hostname:port`` or ``Central
Certificate Store``.  Builds differ in padding, in which labels they print (newer ones add
``Reject Connections``, ``Disable TLS1.3`` / ``Disable TLS1.3 over TCP``, …, and ``Extended
Properties:`` sub-blocks) and in the words for booleans (``Enabled``/``Disabled`` for the
classic ones, ``Set``/``Not Set`` for the newer flags); all are accepted.  Output of a
non-English Windows is refused with a clear message rather than misread.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs

from httpsys_sim.errors import InputError, quote
from httpsys_sim.readers._text import (
    MAX_INPUT_BYTES,
    FrozenMapping,
    decode_text,
    read_input,
    split_lines,
)
from httpsys_sim.windows._binding import BindingKind, SslBinding

__all__ = [
    "NETSH_LABELS",
    "NetshBinding",
    "NetshExtendedProperty",
    "parse_netsh_sslcert",
    "read_file",
]

_HEADER: Final = "ssl certificate bindings:"
_EXTENDED: Final = "extended properties:"
_TLS_SPACE: Final = re.compile(r"\btls\s+(?=\d)")
#: A cmd.exe or PowerShell prompt pasted with the output (``C:\\>``, ``PS C:\\x>``).
_PROMPT: Final = re.compile(r"^\s*(?:PS )?[A-Za-z]:\\[^>]*>")
_MAX_DWORD: Final = 0xFFFFFFFF

_LOCALIZED_HINT: Final = (
    "netsh prints its labels in the Windows display language, and chcp does not change "
    "that; re-run 'netsh http show sslcert' under an English (en-US) display language, "
    "or pass the registry export of HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\"
    "Parameters\\SslBindingInfo (regedit /e) instead"
)


def _label_line(line: str) -> tuple[str, str] | None:
    """Split ``Label : Value`` at the first colon with blank space before it and blank space
    or the line end after it; None when there is no such colon.

    A scan of the colons, linear in the line's length however long its runs of spaces (a
    regular expression with a lazy label and ``\\s+:`` backtracks over every run).
    """
    start = line.find(":")
    while start != -1:
        after = start + 1
        if (
            start > 0
            and line[start - 1].isspace()
            and (after == len(line) or line[after].isspace())
        ):
            label = line[:start].strip()
            if label:
                return label, line[after:].strip()
        start = line.find(":", after)
    return None


def _norm_label(label: str) -> str:
    """Labels compare case-insensitively, whitespace-collapsed, ``TLS 1.3`` = ``TLS1.3``."""
    return _TLS_SPACE.sub("tls", " ".join(label.split()).casefold())


_BOOL_WORDS: Final = MappingProxyType(
    {"enabled": True, "disabled": False, "set": True, "not set": False}
)


def _parse_bool(value: str) -> bool:
    word = " ".join(value.split()).casefold()
    if word not in _BOOL_WORDS:
        raise ValueError("expected Enabled, Disabled, Set or Not Set")
    return _BOOL_WORDS[word]


def _parse_int(value: str) -> int:
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > _MAX_DWORD:
        raise ValueError("expected a whole number 0–4294967295")
    return int(text)


def _parse_text(value: str) -> str | None:
    text = value.strip()
    return None if text in ("", "(null)") else text


def _parse_hash(value: str) -> str | None:
    """A thumbprint as netsh prints it: one run of hex digits (no spaces, unlike certmgr)."""
    text = _parse_text(value)
    if text is not None and any(char.isspace() for char in text):
        raise ValueError(
            "a thumbprint with spaces is not netsh output (netsh prints one run of hex digits)"
        )
    return text


def _parse_zero_none(value: str) -> int | None:
    """netsh prints 0 for an unset time: 0 → None (the bit cannot be seen; R-BIND-1)."""
    number = _parse_int(value)
    return number or None


#: Normalised English label → (:class:`SslBinding` field, value parser) (R-BIND-2, S5 S7).
NETSH_LABELS: Final[Mapping[str, tuple[str, Callable[[str], Any]]]] = MappingProxyType(
    {
        "certificate hash": ("certificate_hash", _parse_hash),
        "application id": ("app_id", _parse_text),
        "certificate store name": ("cert_store", _parse_text),
        "verify client certificate revocation": ("verify_client_cert_revocation", _parse_bool),
        "verify revocation using cached client certificate only": (
            "verify_revocation_with_cached_cert_only",
            _parse_bool,
        ),
        "usage check": ("usage_check", _parse_bool),
        "revocation freshness time": ("revocation_freshness_time", _parse_zero_none),
        "url retrieval timeout": ("url_retrieval_timeout", _parse_zero_none),
        "ctl identifier": ("ctl_identifier", _parse_text),
        "ctl store name": ("ctl_store_name", _parse_text),
        "ds mapper usage": ("ds_mapper_usage", _parse_bool),
        "negotiate client certificate": ("client_cert_negotiation", _parse_bool),
        "reject connections": ("reject", _parse_bool),
        "disable http2": ("disable_http2", _parse_bool),
        "disable quic": ("disable_quic", _parse_bool),
        "disable tls1.2": ("disable_tls12", _parse_bool),
        "disable tls1.3": ("disable_tls13", _parse_bool),
        "disable tls1.3 over tcp": ("disable_tls13", _parse_bool),
        "disable ocsp stapling": ("disable_ocsp_stapling", _parse_bool),
        "enable token binding": ("enable_token_binding", _parse_bool),
        "log extended events": ("log_extended_events", _parse_bool),
        "disable legacy tls versions": ("disable_legacy_tls", _parse_bool),
        "enable session ticket": ("enable_session_ticket", _parse_bool),
        "disable session id": ("disable_session_id", _parse_bool),
        "enable caching client hello": ("enable_cache_client_hello", _parse_bool),
    }
)

#: Block-opening label → binding kind.
_BLOCK_STARTS: Final[Mapping[str, BindingKind]] = MappingProxyType(
    {
        "ip:port": "ipport",
        "hostname:port": "hostnameport",
        "central certificate store": "ccs",
    }
)

#: Labels every build since Windows Vista prints in each block; a block without one of them
#: was cut short or edited, and guessing its defaults could give a wrong answer.
_REQUIRED: Final = (
    "application id",
    "verify client certificate revocation",
    "verify revocation using cached client certificate only",
    "usage check",
    "revocation freshness time",
    "url retrieval timeout",
    "ctl identifier",
    "ctl store name",
    "ds mapper usage",
    "negotiate client certificate",
)
_REQUIRED_WITH_CERT: Final = ("certificate hash", "certificate store name")

#: Labels of an ``Extended Properties:`` sub-block with numeric values.
_EXTENDED_LABELS: Final = MappingProxyType(
    {
        "propertyid": "PropertyId",
        "receive window": "Receive Window",
        "max settings per frame": "Max Settings Per Frame",
        "max settings per minute": "Max Settings Per Minute",
    }
)


@attrs.frozen(kw_only=True)
class NetshExtendedProperty:
    """One ``Extended Properties:`` sub-block (``netsh http update sslpropertyex``; S5)."""

    #: ``PropertyId``: 0 = receive window, 1 = HTTP/2 SETTINGS limits.
    property_id: int
    #: 1-based line of the ``Extended Properties:`` line.
    line: int
    #: Every ``Label : Value`` of the sub-block, as printed.
    values: FrozenMapping[str] = attrs.field(factory=FrozenMapping)

    def _number(self, label: str) -> int | None:
        value = self.values.get(label)
        return None if value is None else int(value)

    @property
    def receive_window(self) -> int | None:
        """``Receive Window`` in bytes (property 0)."""
        return self._number("Receive Window")

    @property
    def max_settings_per_frame(self) -> int | None:
        """``Max Settings Per Frame`` (property 1)."""
        return self._number("Max Settings Per Frame")

    @property
    def max_settings_per_minute(self) -> int | None:
        """``Max Settings Per Minute`` (property 1)."""
        return self._number("Max Settings Per Minute")


@attrs.frozen(kw_only=True)
class NetshBinding:
    """One binding block of ``netsh http show sslcert`` output, read (R-BIND-2)."""

    #: The binding the block describes.
    binding: SslBinding
    #: 1-based line where the block starts (its ``IP:port`` / … line).
    line: int
    #: Every ``Label : Value`` of the block as printed, unknown labels included.
    raw: FrozenMapping[str] = attrs.field(factory=FrozenMapping)
    #: Its ``Extended Properties:`` sub-blocks.
    extended_properties: tuple[NetshExtendedProperty, ...] = ()
    #: :class:`SslBinding` field → 1-based line it was read from.
    field_lines: FrozenMapping[int] = attrs.field(factory=FrozenMapping)


@attrs.define
class _Block:
    kind: BindingKind
    line: int
    raw: dict[str, str] = attrs.Factory(dict)
    seen: dict[str, int] = attrs.Factory(dict)  # normalised label -> line
    fields: dict[str, Any] = attrs.Factory(dict)
    field_lines: dict[str, int] = attrs.Factory(dict)
    extended: list[tuple[int, dict[str, str]]] = attrs.Factory(list)


def _error(
    message: str, filename: str, line: int | None, field: str | None = None, hint: str | None = None
) -> InputError:
    return InputError(message, file=filename, line=line, field=field, hint=hint)


def _looks_localized(lines: Iterable[str]) -> bool:
    """Block structure (``Label : Value`` lines) without the English header."""
    count = 0
    for line in lines:
        if _label_line(line) and not line.lstrip().startswith(("PS ", "C:\\")):
            count += 1
            if count >= 3:
                return True
    return False


def _headerless_start(lines: list[str]) -> int | None:
    """Index before the first block of a listing pasted without its header, if it is one.

    Only when the first ``Label : Value`` line opens an English block (``IP:port``…) and
    nothing but blank or prompt lines precede it.
    """
    for index, line in enumerate(lines):
        if not line.strip() or _PROMPT.match(line):
            continue
        match = _label_line(line)
        if match is not None and _norm_label(match[0]) in _BLOCK_STARTS:
            return index - 1
        return None
    return None


def _finish_block(block: _Block, filename: str) -> NetshBinding:
    required = _REQUIRED + (_REQUIRED_WITH_CERT if block.kind != "ccs" else ())
    missing = [label for label in required if label not in block.seen]
    if missing:
        raise _error(
            f"binding block lacks {missing[0]!r} (cut short or edited?)",
            filename,
            block.line,
            hint="pass the complete, unedited output of 'netsh http show sslcert'",
        )
    extended: list[NetshExtendedProperty] = []
    for line, values in block.extended:
        if "PropertyId" not in values:
            raise _error(
                "Extended Properties without a PropertyId", filename, line, field="PropertyId"
            )
        extended.append(
            NetshExtendedProperty(
                property_id=int(values["PropertyId"]), line=line, values=FrozenMapping(values)
            )
        )
    try:
        binding = SslBinding(kind=block.kind, **block.fields)
    except InputError as exc:
        line = block.field_lines.get(exc.field or "", block.line)
        raise _error(exc.message, filename, line, field=exc.field, hint=exc.hint) from None
    return NetshBinding(
        binding=binding,
        line=block.line,
        raw=FrozenMapping(block.raw),
        extended_properties=tuple(extended),
        field_lines=FrozenMapping(block.field_lines),
    )


def parse_netsh_sslcert(
    text: str | bytes, *, filename: str = "<netsh>"
) -> tuple[NetshBinding, ...]:
    """Read ``netsh http show sslcert`` output into its bindings, in file order (R-BIND-2).

    Accepts old and new builds, any padding, CRLF, UTF-8 (with or without BOM) and UTF-16
    (PowerShell's ``>``).  A header with no blocks gives ``()``.  Anything that is not this
    output — localized, truncated, binary, oversized — raises :class:`InputError` with the
    file and line.
    """
    try:
        decoded = decode_text(text, filename=filename)
    except InputError as exc:
        if isinstance(text, bytes) and len(text) <= MAX_INPUT_BYTES:
            # cmd.exe writes the OEM code page; a localized listing lands here.
            legacy_lines = split_lines(text.decode("cp850"))
            if (
                b"\x00" not in text
                and not any(" ".join(x.split()).casefold() == _HEADER for x in legacy_lines)
                and _looks_localized(legacy_lines)
            ):
                raise _error(
                    "this looks like localized (non-English) netsh output",
                    filename,
                    1,
                    hint=_LOCALIZED_HINT,
                ) from None
        raise exc from None
    lines = split_lines(decoded)
    stripped = decoded.lstrip()
    if stripped.startswith(("{", "[")) and not stripped.startswith("[::"):
        raise _error(
            "this is JSON, not the text listing of netsh http show sslcert",
            filename,
            1,
            hint="run 'netsh http show sslcert' without json=enable",
        )

    header_at = next(
        (i for i, line in enumerate(lines) if " ".join(line.split()).casefold() == _HEADER), None
    )
    if header_at is None:
        header_at = _headerless_start(lines)
    if header_at is None:
        if _looks_localized(lines):
            raise _error(
                "this looks like localized (non-English) netsh output",
                filename,
                1,
                hint=_LOCALIZED_HINT,
            )
        raise _error(
            "not the output of 'netsh http show sslcert' (no 'SSL Certificate bindings:' header)",
            filename,
            1,
            hint="capture it with: netsh http show sslcert > sslcert.txt",
        )

    bindings: list[NetshBinding] = []
    block: _Block | None = None
    in_extended: tuple[int, dict[str, str]] | None = None
    in_listing = True

    for index in range(header_at + 1, len(lines)):
        number = index + 1
        line = lines[index].rstrip()
        content = line.strip()
        if not content:
            continue
        folded = " ".join(content.split()).casefold()
        if folded == _HEADER or _PROMPT.match(line):
            # A prompt ends the listing; a header (another listing pasted below) opens one.
            if block is not None:
                bindings.append(_finish_block(block, filename))
                block, in_extended = None, None
            in_listing = folded == _HEADER
            continue
        if not in_listing or set(content) == {"-"}:
            continue
        if folded == _EXTENDED:
            if block is None:
                raise _error("'Extended Properties:' outside a binding block", filename, number)
            in_extended = (number, {})
            block.extended.append(in_extended)
            continue
        match = _label_line(line)
        if match is None:
            raise _error(
                f"cannot read this line: {content[:60]!r}",
                filename,
                number,
                hint="expected 'Label : Value' as netsh prints it",
            )
        label, value = match
        key = _norm_label(label)

        if key in _BLOCK_STARTS:
            if block is not None:
                bindings.append(_finish_block(block, filename))
            block = _Block(kind=_BLOCK_STARTS[key], line=number)
            in_extended = None
            endpoint = value.strip()
            if block.kind == "ccs":
                endpoint = "ccs:" + endpoint
            block.fields["endpoint"] = endpoint
            block.field_lines["endpoint"] = number
            block.raw[label] = value
            block.seen[key] = number
            continue
        if block is None:
            hint = _LOCALIZED_HINT if key not in NETSH_LABELS else None
            raise _error(
                f"{label!r} before the first IP:port / Hostname:port / Central Certificate "
                "Store line",
                filename,
                number,
                field=label,
                hint=hint,
            )
        if in_extended is not None and key in _EXTENDED_LABELS:
            try:
                _parse_int(value)
            except ValueError as exc:
                raise _error(f"{value!r}: {exc}", filename, number, field=label) from None
            name = _EXTENDED_LABELS[key]
            if name in in_extended[1]:
                raise _error(f"{label!r} appears twice", filename, number, field=label)
            in_extended[1][name] = value.strip()
            continue
        if key in block.seen:
            raise _error(
                f"{label!r} appears twice in one binding block (line {block.seen[key]} too)",
                filename,
                number,
                field=label,
            )
        block.seen[key] = number
        block.raw[label] = value
        spec = NETSH_LABELS.get(key)
        if spec is None:
            continue  # an English label this version does not know: kept in raw only
        field, parser = spec
        if field in block.fields:
            raise _error(
                f"{label!r} repeats a setting already given on line {block.field_lines[field]}",
                filename,
                number,
                field=label,
            )
        try:
            block.fields[field] = parser(value)
        except ValueError as exc:
            raise _error(
                f"{quote(value.strip())}: {exc}",
                filename,
                number,
                field=label,
                hint="pass the output of netsh http show sslcert as it printed it",
            ) from None
        block.field_lines[field] = number

    if block is not None:
        bindings.append(_finish_block(block, filename))
    _check_same_labels(bindings, filename)
    _check_unique_endpoints(bindings, filename)
    return tuple(bindings)


def _check_unique_endpoints(bindings: list[NetshBinding], filename: str) -> None:
    """http.sys holds one binding per endpoint: a second block for one is an edited file."""
    first: dict[str, int] = {}
    for item in bindings:
        key = item.binding.endpoint.casefold()
        if key in first:
            raise _error(
                f"binding {item.binding.endpoint} is listed twice: the block on line "
                f"{first[key]} clashes with this one",
                filename,
                item.line,
                field="endpoint",
                hint="http.sys holds one binding per endpoint; pass one listing, unedited",
            )
        first[key] = item.line


def _check_same_labels(bindings: list[NetshBinding], filename: str) -> None:
    """One build prints the same newer labels in every block: a short last block was cut off."""
    if len(bindings) < 2:
        return
    classic = set(_REQUIRED + _REQUIRED_WITH_CERT)
    known = [
        {key for key in map(_norm_label, b.raw) if key in NETSH_LABELS and key not in classic}
        for b in bindings
    ]
    widest = set().union(*known[:-1])
    missing = sorted(widest - known[-1])
    if missing:
        raise _error(
            f"the last binding block lacks {missing[0]!r}, which the others print "
            "(output cut short?)",
            filename,
            bindings[-1].line,
            hint="pass the complete output of 'netsh http show sslcert'",
        )


def read_file(path: str | Path) -> tuple[NetshBinding, ...]:
    """Read a saved ``netsh http show sslcert`` listing from ``path``."""
    return parse_netsh_sslcert(read_input(path), filename=str(path))
