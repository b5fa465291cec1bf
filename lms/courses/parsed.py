"""Parsed courses kept on disk, so a new process does not render every lesson again.

Rendering a course's markdown is most of a cold start (DESIGN "Pitfalls"). What
`load_course` returns is written to `instance/courses-parsed/` as JSON, named by a key
made of the folder's content hash (every file's bytes), the folder's own path and a
digest of the course engine's source: a changed file, a moved folder or a new parser all
miss the cache. The course parser itself is unchanged and knows nothing of this.

Loading it can never run code: the file is JSON, rebuilt into the engine's own frozen
dataclasses only (a fixed list of classes), after its HMAC (keyed by the app's secret key)
has been checked. A corrupt, foreign or outdated file is ignored and written again.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
import json
import logging
import os
import uuid
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lms.courses.engine import Course, Problem, load_course
from lms.courses.engine import model as engine_model
from lms.courses.engine.context import content_hash

log = logging.getLogger(__name__)
FORMAT = 1
ENGINE = Path(engine_model.__file__).parent
CLASSES: dict[str, type] = {
    name: value
    for name, value in vars(engine_model).items()
    if isinstance(value, type) and dataclasses.is_dataclass(value)
}
ENUMS: dict[str, type[enum.Enum]] = {"QuestionKind": engine_model.QuestionKind}


def _engine_digest() -> str:
    digest = hashlib.sha256(str(FORMAT).encode())
    for path in sorted(ENGINE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_ENGINE_DIGEST = _engine_digest()


def cache_key(folder: Path) -> str:
    """Changes with any file of the course, the folder's place and the parser's code."""
    parts = (_ENGINE_DIGEST, str(folder.resolve()), content_hash(folder))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def load(folder: Path, cache: Path | None, secret: str) -> tuple[Course | None, list[Problem]]:
    """`load_course(folder)`, read from the cache when it holds this exact version."""
    if cache is None:
        return load_course(folder)
    key = cache_key(folder)
    path = cache / f"{folder.name}-{key[:32]}.json"
    found = _read(path, key, secret)
    if found is not None:
        return found
    course, problems = load_course(folder)
    _write(path, key, secret, course, problems)
    return course, problems


def _signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _read(path: Path, key: str, secret: str) -> tuple[Course | None, list[Problem]] | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        signature, _, body = raw.partition(b"\n")
        if not hmac.compare_digest(signature.decode(), _signature(secret, body)):
            raise ValueError("signature does not match")
        data = json.loads(body)
        if data["key"] != key:
            raise ValueError("another version")
        course = _decode(data["course"])
        problems = [_decode(problem) for problem in data["problems"]]
        if course is not None and not isinstance(course, Course):
            raise ValueError("not a course")
        if not all(isinstance(problem, Problem) for problem in problems):
            raise ValueError("not a problem")
        return course, problems
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
        log.warning("ignoring the parsed-course cache %s: %s", path.name, error)
        return None


def _write(path: Path, key: str, secret: str, course, problems) -> None:
    data = {"key": key, "course": _encode(course), "problems": [_encode(p) for p in problems]}
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    scratch = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_bytes(_signature(secret, body).encode() + b"\n" + body)
        os.replace(scratch, path)
        for old in path.parent.glob(f"{path.name.rsplit('-', 1)[0]}-*.json"):
            if old != path and len(old.stem) == len(path.stem):
                old.unlink(missing_ok=True)  # older versions of this course
    except OSError as error:  # the cache is an optimisation: loading goes on without it
        scratch.unlink(missing_ok=True)
        log.warning("could not keep the parsed course %s: %s", path.name, error)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return {"~e": [type(value).__name__, value.value]}
    if isinstance(value, str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"~c": type(value).__name__, "f": fields}
    if isinstance(value, Mapping):
        return {"~m": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"~t": [_encode(item) for item in value]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, Decimal):
        return {"~d": str(value)}
    if isinstance(value, Path):
        return {"~p": str(value)}
    raise TypeError(f"cannot keep a {type(value).__name__} in the parsed-course cache")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "~c" in value:
        cls = CLASSES[value["~c"]]  # KeyError for anything but the engine's own classes
        return cls(**{name: _decode(item) for name, item in value["f"].items()})
    if "~m" in value:
        return MappingProxyType({_decode(k): _decode(v) for k, v in value["~m"]})
    if "~t" in value:
        return tuple(_decode(item) for item in value["~t"])
    if "~d" in value:
        return Decimal(value["~d"])
    if "~p" in value:
        return Path(value["~p"])
    if "~e" in value:
        name, member = value["~e"]
        return ENUMS[name](member)
    raise ValueError("unknown value in the parsed-course cache")
