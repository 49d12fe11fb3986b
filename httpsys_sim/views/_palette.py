"""One outcome palette for every view: each category's colour (HTML) and ANSI code (terminal)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from httpsys_sim.core._result import CATEGORY_MEANINGS, OutcomeCategory

#: category → (HTML colour, ANSI SGR code).
_COLOURS: Mapping[OutcomeCategory, tuple[str, str]] = MappingProxyType(
    {
        OutcomeCategory.OK: ("#1a7f37", "32"),
        OutcomeCategory.NOCERT: ("#4ac26b", "36"),
        OutcomeCategory.DENIED: ("#0969da", "33"),
        OutcomeCategory.ERROR: ("#bc4c00", "35"),
        OutcomeCategory.RESET: ("#cf222e", "31"),
        OutcomeCategory.PROTOCOL: ("#8250df", "34"),
    }
)

#: Cell categories, the colour each gets, and what they mean (the legend):
#: name → (HTML colour, ANSI code, meaning).
CATEGORIES: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {c.value: (*_COLOURS[c], meaning) for c, meaning in CATEGORY_MEANINGS.items()}
)
