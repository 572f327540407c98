"""Text from the catalog or a user, made inert before it goes into Markdown.

Streamlit renders Markdown (GitHub-flavoured, with math, emoji and `:color[...]` directives)
in `st.markdown`, `st.write`, `st.warning`, widget labels and more. A title such as
`![x](http://host/track.png)` would load an image and `[go](javascript:...)` would be a live
link. `escape` backslash-escapes every character that can start such a construct, so the
text shows exactly as written and nothing in it is interpreted.
"""

from __future__ import annotations

import re

# \ ` * { } [ ] < > # | ~ : $ & ! @ : emphasis, code, links, images, HTML, headings, tables,
# strikethrough, directives and emoji, math, entities, e-mail autolinks; ":" also breaks
# "http://" autolinks, and the dot of "www." is escaped to break "www." autolinks. "_" is
# escaped unless it sits between two letters or digits, where it cannot start emphasis (so a
# path such as my_profiles.db reads the same in the Markdown source).
_SPECIAL = re.compile(r"([\\`*{}\[\]<>#|~:$&!@]|(?<=[wW]{3})\.|_(?![^\W_])|(?<![^\W_])_)")
_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])", re.MULTILINE)  # lists, setext headings


def escape(text: object) -> str:
    """`text` (anything; str() of it) with Markdown and HTML made literal."""
    escaped = _SPECIAL.sub(r"\\\1", str(text))
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2], escaped)
