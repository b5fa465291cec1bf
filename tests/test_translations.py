"""Every interface string is translated into Urdu and Bahasa Indonesia, placeholders intact."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The strings the code and templates use now, extracted as `make translations` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["ur", "id"])
def test_no_interface_string_is_left_untranslated(extracted, language):
    with (ROOT / "lms" / "translations" / language / "LC_MESSAGES" / "messages.po").open(
        "rb"
    ) as handle:
        catalog = read_po(handle)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            translated[key] = strings
    missing = sorted(extracted - set(translated))
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:10]}"
    for key, strings in translated.items():
        want = sorted(set(PLACEHOLDER.findall(key)))
        for string in strings:
            assert sorted(set(PLACEHOLDER.findall(string))) == want, (language, key, string)


def test_pages_render_in_each_language(client):
    for language, text in [("ur", "کورسز"), ("id", "Kursus")]:
        html = client.get("/courses/", headers={"Accept-Language": language}).get_data(as_text=True)
        assert text in html, language
