"""Characters no text column can hold, found wherever text comes in.

PostgreSQL refuses NUL (U+0000) in text, and no database encoding can store a lone
surrogate (U+D800 to U+DFFF): UTF-8 has no bytes for one. Neither arrives as raw UTF-8,
but JSON can spell both ("\\u0000", "\\ud800") and `json.loads` hands them over as they
are, and a form or an address can carry %00. Unchecked, each one is a server error at the
first query that uses it (SQLite also fails on the surrogates). Nobody types either, so
they are refused (or, in a form a person filled in, dropped) before any code sees them.

Plain functions over strings, query dicts and parsed JSON; the middleware that applies
them to every request is in commonweave/web/middleware.py (TextInputMiddleware, and
RefusedCookiesMiddleware for cookies).

Also `html_to_text`: plain text from the HTML that feeds put in descriptions.
"""

import html
import re
from html.parser import HTMLParser
from typing import Any

import tinyhtml5
from django.http import QueryDict

REFUSED = re.compile("[\x00\ud800-\udfff]")

# A JSON object's key is named in an error only when it looks like a field name: a key
# of a free-form mapping may be something a person typed, and errors never echo input.
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")


def has_refused(value: str) -> bool:
    return REFUSED.search(value) is not None


def without_refused(value: str) -> str:
    return REFUSED.sub("", value)


def refused_in_json(data: Any) -> str | None:
    """The path ("items.0.name") of the first string in parsed JSON that holds a refused
    character, in a key or a value; "" for the top level; None when there is none.
    Iterative: a body nested as deep as the JSON parser allows must not overflow here."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if has_refused(value):
                return ".".join(path)
        elif isinstance(value, dict):
            children: list[tuple[Any, tuple[str, ...]]] = []
            for key, item in value.items():
                if has_refused(key):
                    return ".".join(path)
                children.append((item, (*path, key if _FIELD_NAME.fullmatch(key) else "*")))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(i))) for i, item in reversed(list(enumerate(value))))
    return None


def refused_in_querydict(data: QueryDict) -> str | None:
    """The name of the first parameter of a QueryDict (GET or POST) whose name or any of
    whose values holds a refused character; "" when the name itself does."""
    for key, values in data.lists():
        if has_refused(key):
            return ""
        if any(isinstance(value, str) and has_refused(value) for value in values):
            return key if _FIELD_NAME.fullmatch(key) else "*"
    return None


def querydict_without_refused(data: QueryDict) -> QueryDict:
    """A copy of a QueryDict with refused characters dropped from names and values."""
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        for value in values:  # "na\x00me" and "name" both become "name": keep both values
            cleaned.appendlist(
                without_refused(key), without_refused(value) if isinstance(value, str) else value
            )
    cleaned._mutable = False
    return cleaned


def without_refused_json(data: Any) -> Any:
    """Parsed JSON with every refused character dropped from its strings and keys: a NUL
    or lone surrogate in an imported file is debris of the program that wrote it, never
    meant, and would stop the import at the first row that reaches the database."""
    if isinstance(data, str):
        return without_refused(data)
    if isinstance(data, list):
        return [without_refused_json(item) for item in data]
    if isinstance(data, dict):
        return {without_refused(key): without_refused_json(item) for key, item in data.items()}
    return data


# --- HTML to plain text -------------------------------------------------------------------

# Elements whose content is never text a reader should see.
_UNSEEN = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg"}
)
# Elements that start a new paragraph (list items and table rows are handled apart).
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "ul",
    }
)  # fmt: skip


class _TagSniffer(HTMLParser):
    """Notices whether a string has any tag or comment in it (then it is read as HTML)."""

    found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found = True

    def handle_endtag(self, tag: str) -> None:
        self.found = True

    def handle_comment(self, data: str) -> None:
        self.found = True


def _is_html(value: str) -> bool:
    sniffer = _TagSniffer(convert_charrefs=True)
    sniffer.feed(value)
    sniffer.close()
    return sniffer.found


def _tidy(text: str) -> str:
    """Spaces collapsed within each line, at most one blank line between paragraphs."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


class _TextWriter:
    """Collects paragraphs and list items while the HTML tree is walked."""

    def __init__(self) -> None:
        self.blocks: list[tuple[bool, str]] = []  # (is a list item, text)
        self.inline: list[str] = []
        self.lists: list[list[Any]] = []  # per open list: [tag, items so far]
        self.bullet = ""

    def text(self, value: str) -> None:
        # Once more, for feeds that encoded their entities twice ("&amp;nbsp;").
        self.inline.append(html.unescape(value) if "&" in value else value)

    def flush(self) -> None:
        text = "\n".join(" ".join(line.split()) for line in "".join(self.inline).split("\n"))
        text = "\n".join(line for line in text.split("\n") if line)
        self.inline = []
        if text:
            self.blocks.append((bool(self.lists), self.bullet + text))
            self.bullet = ""

    def open(self, tag: str) -> None:
        if tag == "br":
            self.inline.append("\n")
        elif tag in ("td", "th"):
            self.inline.append(" ")
        elif tag == "li":
            self.flush()
            if self.lists:
                self.lists[-1][1] += 1
                kind, number = self.lists[-1]
                self.bullet = f"{number}. " if kind == "ol" else "• "
            else:
                self.bullet = "• "
        elif tag in _BLOCKS or tag == "tr":
            self.flush()
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])

    def close(self, tag: str) -> None:
        if tag in _BLOCKS or tag in ("li", "tr"):
            self.flush()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()

    def result(self) -> str:
        self.flush()
        out = []
        for i, (item, text) in enumerate(self.blocks):
            if i:
                out.append("\n" if item and self.blocks[i - 1][0] else "\n\n")
            out.append(text)
        return "".join(out)


def html_to_text(value: Any) -> str:
    """Plain text from text that may be HTML, as feeds send descriptions: tags removed,
    every entity decoded (also ones encoded twice), paragraphs and headings kept apart by
    a blank line, list items on lines of their own ("• " or "1. "), line breaks kept, no
    words run together, and nothing of scripts or styles. Text without any tag is plain
    text: its entities are decoded and its own line breaks kept.

    The HTML is parsed by tinyhtml5 (the HTML5 parsing algorithm, as browsers do; already
    WeasyPrint's parser), so broken markup reads as a browser would show it. The walk is
    iterative: no nesting depth can overflow it.
    """
    if value is None:
        return ""
    value = without_refused(str(value))
    if not value.strip():
        return ""
    if "<" not in value and "&" not in value:  # no tag, no entity: the common case
        return _tidy(value)
    if not _is_html(value):
        return _tidy(html.unescape(value))
    root = tinyhtml5.parse(value, namespace_html_elements=False)
    body = root.find("body")
    writer = _TextWriter()
    stack: list[tuple[str, Any]] = [("open", body if body is not None else root)]
    while stack:
        action, item = stack.pop()
        if action == "text":
            writer.text(item)
        elif action == "close":
            writer.close(item)
        else:
            tag = item.tag.lower() if isinstance(item.tag, str) else ""
            if not tag or tag in _UNSEEN:  # comments, processing instructions, scripts
                continue
            writer.open(tag)
            stack.append(("close", tag))
            for child in reversed(list(item)):
                if child.tail:
                    stack.append(("text", child.tail))
                stack.append(("open", child))
            if item.text:
                stack.append(("text", item.text))
    return writer.result()
