"""Text from the catalog or a user, made inert before it goes into Markdown.

Streamlit renders Markdown (GitHub-flavoured, with math, emoji and `:color[...]` directives)
in `st.markdown`, `st.write`, `st.warning`, widget labels and more. A title such as
`![x](http://host/track.png)` would load an image and `[go](javascript:...)` would be a live
link. `escape` backslash-escapes every character that can start such a construct, and puts an
invisible word joiner (U+2060) where an autolink would begin, so the text shows as written and
nothing in it is interpreted.
"""

from __future__ import annotations

import re

# \ ` * { } [ ] < > # | ~ : $ & ! @ : emphasis, code, links, images, HTML, headings, tables,
# strikethrough, directives and emoji, math, entities. "_" is escaped unless it sits between two
# letters or digits, where it cannot start emphasis (so a path such as my_profiles.db reads the
# same in the Markdown source).
_SPECIAL = re.compile(r"([\\`*{}\[\]<>#|~:$&!@]|_(?![^\W_])|(?<![^\W_])_)")
_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])", re.MULTILINE)  # lists, setext headings
# GitHub-flavoured autolinks ("http://…", "www.…", "name@host") are found in the parsed text,
# after escapes are undone, so an invisible word joiner goes where they would start.
_AUTOLINK = re.compile(r"(?i)(?<![a-z])(https?|ftp|mailto|xmpp|www)(?=[:.])|(?=@)")
JOINER = "\u2060"


def escape(text: object) -> str:
    """`text` (anything; str() of it) with Markdown and HTML made literal."""
    joined = _AUTOLINK.sub(lambda m: (m[1] or "") + JOINER, str(text))
    escaped = _SPECIAL.sub(r"\\\1", joined)
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2], escaped)
