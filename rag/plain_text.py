"""User and document text put into Markdown so that it shows as the same plain text.

The chat page renders answers, captions, expander titles, button labels and
table cells as GitHub-flavoured Markdown (with Streamlit's math, emoji
shortcodes and colour directives), and the conversation export is Markdown too.
A question or a corpus heading such as ``![q](http://host/x.png)`` must stay
text there: no image the browser fetches, no link, no emphasis, heading, table
or code block.

Three things make that so:

- every ASCII punctuation character gets a backslash: CommonMark lets any of
  them be escaped, and every Markdown-active character is one of them
  (``! [ ] ( ) < > * _ ` # | ~ $ & : \\`` …);
- a bare URL or e-mail address (``http://…``, ``www.…``, ``a@b.cn``) gets an
  invisible word joiner (U+2060) after its ``:``, ``www`` or ``@``: GFM turns
  them into links from the *unescaped* text, so a backslash does not stop it;
- leading spaces become no-break spaces (no indented code block) and line
  breaks become Markdown hard breaks, so lines stay lines.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # all ASCII punctuation, backslash included
_AUTOLINK = re.compile(r"(?<=[:@])(?=[-+/0-9A-Za-z_])|(?<=[wW]{3})(?=\.)")
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)


def plain_markdown(text: str) -> str:
    """``text`` as Markdown that renders as exactly this text (Chinese text is unchanged)."""
    text = re.sub(r"\r\n?", "\n", text)
    text = _AUTOLINK.sub(WORD_JOINER, text)
    text = _PUNCTUATION.sub(r"\\\1", text)
    text = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group()), text)
    return text.replace("\n", "  \n")
