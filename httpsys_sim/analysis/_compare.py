"""Two scenarios side by side: where do their paths diverge, and which rules make it so?

:func:`compare` simulates two scenarios (or takes two results) and returns a
:class:`Comparison`: both outcomes and connections, the scenario fields that differ, and the
two step lists aligned (a longest-common-subsequence alignment of the steps' signatures),
with the first step where the paths diverge and the rules only one side cites.

    >>> import httpsys_sim as hs
    >>> c = hs.compare(hs.Scenario.seed("win11-23h2"), hs.Scenario.seed("win11-24h2"))
    >>> c.labels
    ('win11-23h2', 'win11-24h2')
    >>> c.diverging_steps[0].rule, c.diverging_steps[1].rule
    ('R-REQ-2.tls13-reset', 'R-REL-3')
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs

from httpsys_sim.catalogue._clients import get_client
from httpsys_sim.core._engine import simulate
from httpsys_sim.core._result import Result, Step
from httpsys_sim.core._scenario import Scenario

__all__ = ["AlignedStep", "Comparison", "compare"]

#: ``same``: the same step; ``detail``: the same step worded for another release, client or
#: configuration; ``differ``: a step only one side took, or a different step.
RowStatus = Literal["same", "detail", "differ"]


@attrs.frozen(kw_only=True)
class AlignedStep:
    """One row of the alignment: a step of each side (``None`` where a side has no match)."""

    a: Step | None
    b: Step | None
    a_index: int | None  #: index into ``Comparison.a.steps``
    b_index: int | None  #: index into ``Comparison.b.steps``
    status: RowStatus


@attrs.frozen(kw_only=True)
class Comparison:
    """Two results side by side (build it with :func:`compare`)."""

    a: Result
    b: Result
    labels: tuple[str, str]
    rows: tuple[AlignedStep, ...]
    #: ``(dotted field, value in a, value in b)`` for every scenario field that differs.
    scenario_differences: tuple[tuple[str, Any, Any], ...]

    # --- what differs -------------------------------------------------------------------
    @property
    def same_outcome(self) -> bool:
        """Both sides end the same way (kind, status, sub-status, client error)."""
        oa, ob = self.a.outcome, self.b.outcome
        return (oa.kind, oa.status, oa.substatus, oa.client_error) == (
            ob.kind,
            ob.status,
            ob.substatus,
            ob.client_error,
        )

    @property
    def divergence(self) -> int | None:
        """Index into :attr:`rows` of the first step (configuration aside) where the paths
        differ; ``None`` when they are the same step for step."""
        for n, row in enumerate(self.rows):
            if row.status != "differ":
                continue
            if any(s is not None and s.layer != "config" for s in (row.a, row.b)):
                return n
        return None

    @property
    def diverging_steps(self) -> tuple[Step | None, Step | None]:
        """The two steps at :attr:`divergence` (``(None, None)`` when the paths agree)."""
        if self.divergence is None:
            return (None, None)
        row = self.rows[self.divergence]
        return (row.a, row.b)

    @property
    def rules_only_in_a(self) -> tuple[str, ...]:
        """Rules side *a* cites and side *b* does not, in order of first use."""
        return _only(self.a.steps, self.b.steps)

    @property
    def rules_only_in_b(self) -> tuple[str, ...]:
        """Rules side *b* cites and side *a* does not, in order of first use."""
        return _only(self.b.steps, self.a.steps)

    # --- views --------------------------------------------------------------------------
    def visible_rows(self, context: int = 2) -> Iterator[tuple[int, AlignedStep] | int]:
        """Rows to show: differing rows with ``context`` rows around them; a run of hidden
        rows is yielded as its length."""
        near: set[int] = set()
        for n, row in enumerate(self.rows):
            if row.status == "differ":
                near.update(range(n - context, n + context + 1))
        hidden = 0
        for n, row in enumerate(self.rows):
            if n in near:
                if hidden:
                    yield hidden
                    hidden = 0
                yield n, row
            else:
                hidden += 1
        if hidden:
            yield hidden

    def verdict(self) -> str:
        la, lb = self.labels
        if self.divergence is None:
            return "The two paths are the same, step for step."
        row = self.rows[self.divergence]
        where = []
        if row.a_index is not None:
            where.append(f"{la} step {row.a_index + 1}")
        if row.b_index is not None:
            where.append(f"{lb} step {row.b_index + 1}")
        return "The paths diverge at " + " / ".join(where) + "."

    def to_text(self, *, context: int = 2, width: int = 50) -> str:
        """The comparison for a terminal (see :func:`httpsys_sim.views._text.comparison_text`)."""
        from httpsys_sim.views._text import comparison_text

        return comparison_text(self, context=context, width=width)

    def to_markdown(self, *, context: int = 2) -> str:
        """The comparison as Markdown: a summary table, the divergence, aligned steps."""
        from httpsys_sim.views._markdown import comparison_markdown

        return comparison_markdown(self, context=context)

    def _repr_html_(self) -> str:
        from httpsys_sim.views._html import comparison_html

        return comparison_html(self)

    def _repr_markdown_(self) -> str:
        from httpsys_sim.views._markdown import comparison_markdown

        return comparison_markdown(self)


# --- helpers ------------------------------------------------------------------------------


def _only(mine: Sequence[Step], theirs: Sequence[Step]) -> tuple[str, ...]:
    other = {s.rule for s in theirs}
    return tuple(dict.fromkeys(s.rule for s in mine if s.rule not in other))


def _normalise(result: Result) -> Mapping[str, str]:
    """Names that differ between otherwise identical steps (release, client)."""
    s = result.scenario
    return {
        s.server.release.product: "‹release›",
        get_client(s.client.profile).name: "‹client›",
    }


def _signature(step: Step, names: Mapping[str, str]) -> tuple[object, ...]:
    """What makes two steps "the same step" for the alignment."""
    if step.layer == "config":
        return (step.layer, step.actor, step.rule)
    event = step.event
    for name, placeholder in names.items():
        event = event.replace(name, placeholder)
    return (step.layer, step.actor, step.rule, step.message, step.encrypted, step.delivered, event)


def _align(a: Result, b: Result) -> tuple[AlignedStep, ...]:
    import difflib

    na, nb = _normalise(a), _normalise(b)
    sig_a = [_signature(s, na) for s in a.steps]
    sig_b = [_signature(s, nb) for s in b.steps]
    rows: list[AlignedStep] = []
    matcher = difflib.SequenceMatcher(None, sig_a, sig_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                sa, sb = a.steps[i], b.steps[j]
                status: RowStatus = "same" if sa.event == sb.event else "detail"
                rows.append(AlignedStep(a=sa, b=sb, a_index=i, b_index=j, status=status))
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            ia: int | None = i1 + k if i1 + k < i2 else None
            jb: int | None = j1 + k if j1 + k < j2 else None
            rows.append(
                AlignedStep(
                    a=None if ia is None else a.steps[ia],
                    b=None if jb is None else b.steps[jb],
                    a_index=ia,
                    b_index=jb,
                    status="differ",
                )
            )
    return tuple(rows)


def _flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _differences(a: Scenario, b: Scenario) -> tuple[tuple[str, Any, Any], ...]:
    fa, fb = _flatten(a.to_dict()), _flatten(b.to_dict())
    keys = list(dict.fromkeys([*fa, *fb]))
    return tuple((k, fa.get(k), fb.get(k)) for k in keys if fa.get(k) != fb.get(k))


def show_value(value: object) -> str:
    """A scenario field's value as a label: strings bare, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


_BARE = frozenset({"server.release", "client.profile", "client.certificate", "server.host"})


def _auto_labels(diffs: Sequence[tuple[str, Any, Any]]) -> tuple[str, str]:
    if not diffs:
        return ("A", "B")
    parts_a, parts_b = [], []
    for path, va, vb in diffs[:2]:
        leaf = path.rsplit(".", 1)[-1]
        if path in _BARE:
            parts_a.append(show_value(va))
            parts_b.append(show_value(vb))
        else:
            parts_a.append(f"{leaf}={show_value(va)}")
            parts_b.append(f"{leaf}={show_value(vb)}")
    if len(diffs) > 2:
        parts_a.append("…")
        parts_b.append("…")
    la, lb = ", ".join(parts_a), ", ".join(parts_b)
    return (la, lb) if la != lb else (f"A: {la}", f"B: {lb}")


def compare(
    a: Scenario | Result, b: Scenario | Result, *, labels: Sequence[str] | None = None
) -> Comparison:
    """Simulate ``a`` and ``b`` (scenarios, or results already simulated) and line them up.

    ``labels`` names the two sides; by default they come from the scenario fields that
    differ (``win11-23h2`` vs ``win11-24h2``, ``disable_tls13=false`` vs ``…=true``).
    """
    ra = a if isinstance(a, Result) else simulate(a)
    rb = b if isinstance(b, Result) else simulate(b)
    diffs = _differences(ra.scenario, rb.scenario)
    if labels is None:
        names = _auto_labels(diffs)
    else:
        if len(labels) != 2:
            raise ValueError("labels: give exactly two names")
        names = (str(labels[0]), str(labels[1]))
    return Comparison(a=ra, b=rb, labels=names, rows=_align(ra, rb), scenario_differences=diffs)
