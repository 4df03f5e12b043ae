"""What HTML the ``sanitized_html`` validator lets through, with nh3 (Rust's ammonia).

The allow-list follows DatoCMS's own (Ruby ``sanitize``'s "relaxed" configuration): text
markup, lists, links, images and tables, classes and ids, and a safe subset of inline CSS.
Links may be http(s), mailto, tel, ftp or relative; nothing may run script.

Two uses:

- :func:`sanitize` cleans a value (``sanitize_before_validation: true``): what is outside the
  allow-list goes, ``<script>``/``<style>`` with their content;
- :func:`is_safe` decides, without the flag, whether a value may be stored as it is.

The rule for :func:`is_safe`: nh3 parses the value as a browser does and serialises it
twice, once keeping only the allow-list and once keeping everything the value names (every
tag, attribute, URL scheme and CSS property in it). The value is safe when both are equal.
Harmless differences from the input (quote style, entity spelling, letter case, implied end
tags, comments) appear in both serialisations, so they don't count; anything the allow-list
removes (a tag outside it, an ``on*`` handler, a ``javascript:`` or ``data:`` URL however
it is encoded, a CSS property outside the safe list) makes them differ.

A value with more than ``CMS_HTML_MAX_TAGS`` start tags is refused outright, flag or not:
the parser's work grows with the number of elements times their nesting depth (html5ever,
unlike browsers, doesn't clamp the depth), so 100,000 nested ``<div>`` took minutes; under
the cap the worst case stays around a second.
"""

import html
import re

import nh3
from django.conf import settings

TAGS = nh3.ALLOWED_TAGS | {"tfoot", "section", "main", "address"}
ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "id", "dir", "lang", "title", "style"},
    "a": nh3.ALLOWED_ATTRIBUTES["a"] | {"name", "target", "rel"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "ftp"}
# Layout and typography only: no url() (background, list-style-image...), no positioning.
CSS_PROPERTIES = {
    *("color", "background-color", "font-family", "font-size", "font-style", "font-weight"),
    *("text-align", "text-decoration", "text-indent", "text-transform", "line-height"),
    *("letter-spacing", "white-space", "vertical-align", "direction", "list-style-type"),
    *("width", "height", "max-width", "min-width", "max-height", "min-height"),
    *("margin", "margin-top", "margin-right", "margin-bottom", "margin-left"),
    *("padding", "padding-top", "padding-right", "padding-bottom", "padding-left"),
    *("border", "border-top", "border-right", "border-bottom", "border-left"),
    *("border-color", "border-style", "border-width", "border-collapse", "border-spacing"),
    *("border-radius", "float", "clear", "display"),
}
COMMON = {"link_rel": None, "strip_comments": True}
# Never safe to keep: a fragment parser drops these tags, but a page that includes the
# value does not (``<body onload=...>`` adds its handler to the page's own body), and a
# ``<style>`` element styles the whole page.
NEVER_KEPT = {"html", "head", "body", "frameset", "style"}

# A start tag is "<" and an ASCII letter, its name running to a space, "/" or ">" (the HTML
# tokenizer's rule), so this finds every tag name a parser can see, and then some.
TAG_NAME = re.compile(r"</?([A-Za-z][^\t\n\f\r />]*)")
START_TAG = re.compile(r"<[A-Za-z]")
# Anything followed by ":" may be a URL scheme or a CSS property.
NAME_BEFORE_COLON = re.compile(r"(-?[A-Za-z][-A-Za-z0-9+._]*)\s*:")
CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6})\s?|\\(.)", re.DOTALL)


def _css_unescape(match: re.Match) -> str:
    if match.group(1):
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF else ""
    return match.group(2)


def _named(value: str) -> tuple[set[str], set[str]]:
    """The tag names, and the names before a colon (URL schemes, CSS properties), that
    ``value`` holds however they are spelled: entities decoded, URL-ignored whitespace and
    CSS escapes removed, upper and lower case."""
    tags = {name for match in TAG_NAME.finditer(value) for name in (match[1], match[1].lower())}
    text = CSS_ESCAPE.sub(_css_unescape, html.unescape(value))
    text = re.sub(r"[\t\n\r]", "", text)
    names = {match[1].lower() for match in NAME_BEFORE_COLON.finditer(text)}
    return tags, names


def unparsable(value: str) -> str | None:
    """Why ``value`` can't be given to the parser (cheaply), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "The text holds a lone surrogate: it is not Unicode text."
    if sum(1 for _ in START_TAG.finditer(value)) > settings.CMS_HTML_MAX_TAGS:
        return f"More than {settings.CMS_HTML_MAX_TAGS} HTML tags."
    return None


def sanitize(value: str) -> str:
    return nh3.clean(
        value,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=CSS_PROPERTIES,
        **COMMON,
    )


def _keep_everything(value: str, tags: set[str], names: set[str]) -> str:
    return nh3.clean(
        value,
        tags=TAGS | tags,
        clean_content_tags=set(),
        attributes=ATTRIBUTES,
        generic_attribute_prefixes={""},  # every attribute on every tag
        url_schemes=URL_SCHEMES | names,
        filter_style_properties=CSS_PROPERTIES | names,
        **COMMON,
    )


def is_safe(value: str) -> bool:
    tags, names = _named(value)
    if {tag.lower() for tag in tags} & NEVER_KEPT:
        return False
    return sanitize(value) == _keep_everything(value, tags, names)


def sanitized_value(validators: dict | None, value):
    """A text value as it is to be validated and stored: cleaned first when its field's
    ``sanitized_html`` validator says ``sanitize_before_validation``."""
    params = (validators or {}).get("sanitized_html") or {}
    if isinstance(value, str) and params.get("sanitize_before_validation"):
        # Left as it is when it can't be parsed, for the validator to refuse.
        return value if unparsable(value) else sanitize(value)
    return value
