"""A sponsor's logo: SVG text checked against an allow-list before it is stored or shown.

The logo is printed inline on the report page and in the PDF, so it may hold only
drawing elements: no script, no event handler, no style sheet, no link to anything
outside itself (so WeasyPrint fetches nothing and the page runs nothing).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markupsafe import Markup

SVG = "{http://www.w3.org/2000/svg}"
ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "title", "desc", "defs", "linearGradient", "radialGradient", "stop",
}  # fmt: skip
ATTRIBUTES = {
    "viewBox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx",
    "ry", "d", "points", "fill", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "opacity", "fill-opacity", "stroke-opacity", "transform",
    "font-size", "font-weight", "font-family", "text-anchor", "offset", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "id", "role", "aria-label",
    "fill-rule", "clip-rule", "version", "preserveAspectRatio", "dominant-baseline",
}  # fmt: skip
MAX_BYTES = 50_000


class BadLogo(ValueError):
    """The SVG uses something outside the allow-list; the message says what."""


def check_logo(svg: str) -> str:
    """The logo, re-serialised, when every element and attribute is allowed; else BadLogo."""
    if len(svg.encode()) > MAX_BYTES:
        raise BadLogo(f"the logo is over {MAX_BYTES // 1000} KB")
    if "<!DOCTYPE" in svg.upper() or "<!ENTITY" in svg.upper():
        raise BadLogo("the logo may not declare a DOCTYPE or entities")
    try:
        root = ET.fromstring(svg)  # noqa: S314 - DOCTYPE and entities refused above
    except ET.ParseError as exc:
        raise BadLogo(f"the logo is not well-formed SVG: {exc}") from None
    if root.tag != f"{SVG}svg":
        raise BadLogo("the logo's root element must be <svg> in the SVG namespace")
    for element in root.iter():
        name = element.tag.removeprefix(SVG)
        if name not in ELEMENTS:
            raise BadLogo(f"element <{name}> is not allowed in a logo")
        for attribute, value in element.attrib.items():
            if attribute not in ATTRIBUTES:
                raise BadLogo(f"attribute {attribute!r} is not allowed in a logo")
            if "url(" in value and not value.replace(" ", "").startswith("url(#"):
                raise BadLogo("a logo may refer only to its own gradients")
    # Written out again from the parsed tree, so comments, CDATA and stray markup are gone.
    ET.register_namespace("", SVG.strip("{}"))
    return ET.tostring(root, encoding="unicode")


def logo_markup(svg: str | None) -> Markup | None:
    """The logo for inline use, checked again (None when missing or no longer allowed)."""
    if not svg:
        return None
    try:
        return Markup(check_logo(svg))  # noqa: S704 - checked against the allow-list above
    except BadLogo:
        return None
