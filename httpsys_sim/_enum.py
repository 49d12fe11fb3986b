"""Enum bases whose ``repr`` is valid Python (``CertState.VALID``), as attrs reprs need."""

from __future__ import annotations

import enum

__all__ = ["ReprFlag", "ReprIntEnum", "ReprStrEnum"]


class ReprStrEnum(str, enum.Enum):
    """A string enum whose repr is ``ClassName.MEMBER``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class ReprIntEnum(enum.IntEnum):
    """An int enum whose repr is ``ClassName.MEMBER``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class ReprFlag(enum.IntFlag):
    """An int flag whose repr is ``ClassName(value)`` (valid for combinations too)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"
