"""Response headers set as werkzeug sets them, in fewer steps: every response passes
here, and werkzeug's `Headers.set` scans the whole list once per header set, and
`response.vary` parses and rewrites the header for each token added."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import Headers


def set_all(
    headers: Headers,
    pairs: Iterable[tuple[str, str]],
    defaults: Iterable[tuple[str, str]] = (),
) -> None:
    """`headers.setdefault(name, value)` for each of `defaults`, then `headers[name] =
    value` for each of `pairs`: replaced where the name is present (any case), appended
    where it is not."""
    present = {name.lower() for name, _value in headers.items()}
    for name, value in defaults:
        if name.lower() not in present:
            headers.add(name, value)
    for name, value in pairs:
        if name.lower() in present:
            headers[name] = value
        else:
            headers.add(name, value)


def add_vary(headers: Headers, token: str) -> None:
    """`response.vary.add(token)`: the token joins the Vary list unless it is in it."""
    current = headers.get("Vary")
    if not current:
        headers["Vary"] = token
    elif token.lower() not in {part.strip().lower() for part in current.split(",")}:
        headers["Vary"] = f"{current}, {token}"
