"""One escaper per output language: HTML/SVG, Markdown, Mermaid."""

from __future__ import annotations

import html
import re

#: Characters XML 1.0 forbids (an SVG with one of them does not render at all).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: object) -> str:
    """``text`` safe in HTML/SVG element content and in quoted attribute values."""
    return html.escape(_XML_BAD.sub("\ufffd", str(text)), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md_escape(text: object) -> str:
    """``text`` safe in Markdown prose and table cells: no HTML, no emphasis, no links."""
    plain = html.escape(_XML_BAD.sub("\ufffd", str(text)), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", plain).replace("\r", " ").replace("\n", " ")


def md_code(text: object) -> str:
    """``text`` as an inline Markdown code span (never parsed as HTML), its characters kept:
    the fence is one backtick longer than any run inside (a PowerShell escape survives a
    copy), padded with a space when the text starts or ends with a backtick, or with a space at
    both ends (CommonMark strips one from each side)."""
    plain = _XML_BAD.sub("\ufffd", str(text)).replace("\r", " ").replace("\n", " ")
    longest = max((len(m) for m in re.findall(r"`+", plain)), default=0)
    ticks = "`" * (longest + 1)
    stripped = plain[:1] == plain[-1:] == " " and plain.strip(" ") != ""
    pad = " " if plain[:1] == "`" or plain[-1:] == "`" or stripped else ""
    return f"{ticks}{pad}{plain}{pad}{ticks}"


def fence(body: str, info: str) -> str:
    """A fenced code block whose fence is longer than any backtick run in ``body``."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body.rstrip()}\n{fence}"


def safe_url(url: str | None) -> str | None:
    return url if url is not None and url.startswith(("https://", "http://")) else None


def mermaid_escape(text: str) -> str:
    """Text safe inside a Mermaid message."""
    return (
        text.replace(";", ",")
        .replace("#", "")
        .replace("<", "‹")
        .replace(">", "›")
        .replace("\n", " ")
    )
