"""Markdown to safe HTML: Python-Markdown, then an allow-list sanitiser (nh3).

Rendering costs 12-50 ms for a long lesson, so results are memoised by the exact source
text: each distinct text is rendered once per process, never per request.
"""

from __future__ import annotations

import functools
import re
import threading

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "attr_list", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "code": {"class"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# An inline markdown link or image: ![alt](target "title") or [text](target)
LINK_RE = re.compile(
    r"(?P<bang>!?)\[(?P<label>[^\]]*)\]\(\s*<?(?P<target>[^)\s>]*)>?(?P<rest>[^)]*)\)"
)

_local = threading.local()


def _converter() -> markdown.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        _local.converter = converter
    return converter


def sanitise(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@functools.lru_cache(maxsize=8192)
def render_markdown(text: str) -> str:
    """Render markdown to sanitised HTML; memoised by the text itself."""
    html = _converter().reset().convert(text)
    html = html.replace("<img ", '<img loading="lazy" ')
    return sanitise(html)


@functools.lru_cache(maxsize=8192)
def render_inline(text: str) -> str:
    """Render a one-line markdown fragment (a choice, a title) without the <p> wrapper."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))
