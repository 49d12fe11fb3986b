"""The escapers of views/_escape.py: what they return shows exactly the text they were given."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from httpsys_sim.views._escape import md_code, md_escape

_CODE_SPAN = re.compile(r"^(`+)(.*)\1$", re.S)


def _code_span_content(span: str) -> tuple[str, str]:
    """The backtick fence and the text a CommonMark reader shows for an inline code span."""
    match = _CODE_SPAN.match(span)
    assert match, span
    ticks, inner = match.groups()
    if inner[:1] == inner[-1:] == " " and inner.strip(" "):
        inner = inner[1:-1]
    return ticks, inner


@given(st.text(alphabet=st.sampled_from("ab `\\*_|#<>&"), max_size=30))
def test_a_code_span_keeps_every_character(text: str) -> None:
    """CommonMark: a code span's content is between backtick runs of equal length that the
    content never contains; one space of padding on each side is stripped."""
    ticks, content = _code_span_content(md_code(text))
    assert content == text
    assert ticks not in content


def test_a_powershell_backtick_survives() -> None:
    command = "Set-ItemProperty -Path `\n 'HKLM:\\x'"
    assert md_code(command) == "``Set-ItemProperty -Path `  'HKLM:\\x'``"
    assert md_code("`edge`") == "`` `edge` ``"
    assert md_code("plain") == "`plain`"


def test_markdown_prose_has_no_emphasis_link_html_or_table_break() -> None:
    shown = md_escape("*a* _b_ [c](d) <e> | f # g")
    assert shown == "\\*a\\* \\_b\\_ \\[c\\](d) &lt;e&gt; \\| f \\# g"
