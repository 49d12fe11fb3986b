"""One outcome palette for every view: each category's background and text colour (HTML, SVG)
and ANSI code (terminal), with the WCAG contrast check the tests apply to it."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from httpsys_sim.core._result import CATEGORY_MEANINGS, OutcomeCategory

__all__ = ["CATEGORIES", "PALETTE", "Swatch", "contrast_ratio"]


@attrs.frozen
class Swatch:
    """How one outcome category looks."""

    #: Background of a cell or badge (``#rrggbb``).
    background: str
    #: Text on that background; at least 4.5:1 against it (WCAG 2.1 AA).
    text: str
    #: ANSI SGR parameters for a terminal cell.
    ansi: str


#: category → swatch.  ``nocert`` (``200*``, :data:`NOCERT_MEANING`) is a failure, so it is
#: coloured as a warning, not as the success green.
PALETTE: Mapping[OutcomeCategory, Swatch] = MappingProxyType(
    {
        OutcomeCategory.OK: Swatch("#116329", "#ffffff", "32"),
        OutcomeCategory.NOCERT: Swatch("#eac54f", "#1f2328", "33"),
        OutcomeCategory.DENIED: Swatch("#0550ae", "#ffffff", "34"),
        OutcomeCategory.ERROR: Swatch("#953800", "#ffffff", "38;5;208"),
        OutcomeCategory.RESET: Swatch("#a40e26", "#ffffff", "31"),
        OutcomeCategory.PROTOCOL: Swatch("#6639ba", "#ffffff", "35"),
    }
)

#: What ``200*`` means, for the legends that spell out each cell label.
NOCERT_MEANING = CATEGORY_MEANINGS[OutcomeCategory.NOCERT].partition(": ")[2]

#: The legend: name → (background, ANSI code, meaning), in display order.
CATEGORIES: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        c.value: (PALETTE[c].background, PALETTE[c].ansi, meaning)
        for c, meaning in CATEGORY_MEANINGS.items()
    }
)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """The WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
