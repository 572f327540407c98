"""`movierec.markdown.escape`: catalog and user text shows as written and never becomes a link,
an image or HTML, checked by rendering it with markdown-it (CommonMark plus GFM tables and
strikethrough), the parser family Streamlit's front end uses."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from movierec.hits import Hit
from movierec.markdown import JOINER, escape

markdown_it = pytest.importorskip("markdown_it")
PARSER = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
LIVE = {"link_open", "image", "html_inline", "html_block"}
FORMAT = {"em_open", "strong_open", "s_open", "code_inline", "heading_open", "table_open"}
PAYLOADS = [
    "![x](http://127.0.0.1:9/track.png)",
    "[go](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<http://127.0.0.1:9/auto>",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    ":red[boom] $x^2$ ~~gone~~ **bold** `code` # heading",
]


def _tokens(text: str) -> list:
    tokens = []
    for token in PARSER.parse(text):
        tokens += [token, *(token.children or [])]
    return tokens


def _plain(text: str) -> str:
    """What a reader sees: the text content of the rendered Markdown."""
    text = "".join(t.content for t in _tokens(text) if t.type in ("text", "softbreak"))
    return text.replace(JOINER, "")  # the invisible word joiner that breaks autolinks


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_as_plain_text(payload: str) -> None:
    escaped = escape(payload)
    assert not (LIVE | FORMAT) & {t.type for t in _tokens(escaped)}
    assert not re.search(r"(?i)(https?|www)[:.]", escaped)  # no GFM autolink can start
    assert _plain(escaped).replace("\n", "") == html.unescape(payload).replace("\n", "")


def test_ordinary_titles_are_unchanged() -> None:
    for title in ("Finding Nemo (2003)", "Ocean's Eleven", "WALL·E", "Total Recall (1990)"):
        assert escape(title) == title


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="_*[]()!<>:/.@wh tpsx\\`~$#-+=1&|{}", max_size=40)  # Markdown's own
    | st.text(
        alphabet=st.characters(exclude_categories=["Cs", "Cc"], exclude_characters=JOINER),
        max_size=60,
    )
)
def test_any_text_shows_as_written_and_nothing_is_live(text: str) -> None:
    escaped = escape(text)
    assert not LIVE & {t.type for t in _tokens(escaped)}
    line = " ".join(text.split())  # one line, no leading blanks: the text is shown as is
    assert _plain(escape(line)) == line


def test_explanations_escape_the_titles_they_name() -> None:
    hit = Hit(1, "t", 2000, 1.0, matched_terms=["<b>"], because=[{"title": "[go](javascript:x)"}])
    text = hit.explain(markdown=True)
    assert not LIVE & {t.type for t in _tokens(text)}
    assert "*\\[go\\](javascript\\:x)*" in text and "**\\<b\\>**" in text
    assert "[go](javascript:x)" in hit.explain()  # plain text stays plain
