"""Enum bases whose ``repr`` is valid Python (``CertState.VALID``), as attrs reprs need.

Every enum of the package derives from one of these; :class:`ReprEnum` holds the one
``__repr__`` the string and integer enums share.
"""

from __future__ import annotations

import enum

__all__ = ["ReprEnum", "ReprFlag", "ReprIntEnum", "ReprStrEnum"]


class ReprEnum(enum.Enum):
    """An enum whose repr is ``ClassName.MEMBER`` (valid Python, unlike ``<Name.X: 1>``)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class ReprStrEnum(str, ReprEnum):
    """A string enum whose repr is ``ClassName.MEMBER``."""


class ReprIntEnum(ReprEnum, enum.IntEnum):
    """An int enum whose repr is ``ClassName.MEMBER`` (``str`` and ``format`` stay ``int``'s)."""


class ReprFlag(enum.IntFlag):
    """An int flag whose repr is ``ClassName(value)`` (valid for combinations too)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"
