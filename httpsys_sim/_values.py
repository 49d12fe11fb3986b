"""What the package's shared frozen values have in common beyond attrs.

attrs' generated ``__eq__`` compares two instances field by field, even when they are one and
the same object.  A few values are shared by many others — a Windows release, a TLS
personality, the default Schannel, revocation, trust and mapping settings — so every look-up a
sweep makes by value compares each of them with itself (docs/architecture.md#speed).
:func:`identity_first_eq` lets such a class answer at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["identity_first_eq"]

_T = TypeVar("_T", bound=type)


def identity_first_eq(cls: _T) -> _T:
    """Class decorator, above ``@attrs.frozen``: ``a == b`` is ``True`` at once when ``a is
    b``, and otherwise what attrs' generated ``__eq__`` says.  Hashing is unchanged."""
    fields_equal: Callable[[object, object], object] = vars(cls)["__eq__"]  # attrs' own

    def __eq__(self: object, other: object) -> object:
        return self is other or fields_equal(self, other)

    __eq__.__doc__ = fields_equal.__doc__
    __eq__.__qualname__ = f"{cls.__qualname__}.__eq__"
    setattr(cls, "__eq__", __eq__)  # noqa: B010 - a method set on the class attrs built
    return cls
