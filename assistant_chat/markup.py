"""How a message's text is shown: escaped, with the few forms answers use.

- ``[label](/path)`` is a link to a page of this site. Only paths that start with a
  single ``/`` and hold no backslash become links (browsers read ``/\\host`` as
  another site), so an answer (a language model's included) can never link elsewhere
  or to ``javascript:``.
- A block of lines that all start with ``- `` is a list; other blocks are paragraphs,
  with their line breaks kept. Blocks are separated by a blank line.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_LINK = re.compile(r"\[([^\[\]\n]+)\]\((/(?![/\\])[^()\s\\]*)\)")


def _inline(text: str) -> str:
    return _LINK.sub(r'<a href="\2">\1</a>', escape(text))


def render_markup(text: str) -> SafeString:
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append(f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>")
    return mark_safe("".join(blocks))  # every piece of text went through escape()
