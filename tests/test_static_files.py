"""Static files pre-compressed once (`lms assets compress`), served in the best encoding
the browser accepts, decoding to the very bytes on disk, with headers that let a warm
page skip them (issue 20 item 6)."""

from __future__ import annotations

import gzip
import os
import re
import shutil
from pathlib import Path

import brotli
import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda data: data}


def asset_urls(client) -> list[str]:
    html = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:href|src|data-manifest)="(/static/[^"]+\?v=[^"]+)"', html)


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip;q=1", "gzip"), ("", None)],
)
def test_assets_decode_to_the_file_with_the_right_headers(client, accept, encoding):
    urls = asset_urls(client)
    assert {url.split("?")[0] for url in urls} >= {
        "/static/css/app.css",
        "/static/js/app.js",
        "/static/manifest.webmanifest",
    }
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": accept})
        original = (STATIC / url.split("?")[0].removeprefix("/static/")).read_bytes()
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == encoding, url
        assert DECODE[encoding](response.data) == original
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Vary"] == "Accept-Encoding"  # not Cookie
        assert "Set-Cookie" not in response.headers
        expected_type = {".css": "text/css", ".js": "text/javascript"}.get(
            Path(url.split("?")[0]).suffix, "application/manifest+json"
        )
        assert response.mimetype == expected_type
        etag = response.headers["ETag"]
        assert etag.endswith(f'-{encoding}"') if encoding else "-" not in etag
        again = client.get(url, headers={"Accept-Encoding": accept, "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""


def test_each_encoding_has_its_own_etag(client):
    url = next(url for url in asset_urls(client) if "app.css" in url)
    tags = {
        client.get(url, headers={"Accept-Encoding": a}).headers["ETag"] for a in ("br", "gzip", "")
    }
    assert len(tags) == 3


def test_unversioned_files_and_the_worker_are_revalidated(client):
    plain = client.get("/static/css/app.css", headers={"Accept-Encoding": "br"})
    assert plain.headers["Cache-Control"] == "no-cache"
    assert brotli.decompress(plain.data) == (STATIC / "css" / "app.css").read_bytes()
    worker = client.get("/sw.js", headers={"Accept-Encoding": "br"})
    assert worker.headers["Cache-Control"] == "no-cache"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    script = brotli.decompress(worker.data).decode()
    assert "var OFFLINE = {};" not in script and '"/offline/ur?v=' in script
    assert client.get("/static/css/app.css.br").status_code == 404  # never the variant itself
    assert client.get("/static/../lms/config.py").status_code == 404


def test_the_offline_page_follows_the_language(client):
    for language, direction in (("en", "ltr"), ("ur", "rtl"), ("id", "ltr")):
        html = client.get(f"/offline/{language}").get_data(as_text=True)
        assert f'<html lang="{language}" dir="{direction}">' in html
        assert 'id="offline-home"' in html and "app.css?v=" in html
    assert "آپ آف لائن ہیں" in client.get("/offline/ur").get_data(as_text=True)
    assert "Anda sedang luring" in client.get("/offline/id").get_data(as_text=True)
    assert client.get("/offline/xx").status_code == 404


def test_compress_writes_variants_once_and_serving_uses_them(app, tmp_path):
    from lms.web.precompress import compress_folder
    from lms.web.static_files import static_response

    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder, ignore=shutil.ignore_patterns("*.br", "*.gz", "*.ttf"))
    written = {path.name: sizes for path, _size, sizes in compress_folder(folder)}
    assert set(written["app.css"]) == {"br", "gzip"}
    css = folder / "css" / "app.css"
    variant = css.with_name("app.css.br")
    assert brotli.decompress(variant.read_bytes()) == css.read_bytes()
    assert not (folder / "fonts" / "NotoNaskhArabic-subset.woff2.br").exists()  # woff2 is packed
    first = variant.stat().st_mtime_ns
    compress_folder(folder)
    assert variant.stat().st_mtime_ns == first  # fresh ones are kept, not redone

    variant.write_bytes(brotli.compress(b"/* the written file is what is served */"))
    with app.test_request_context("/static/css/app.css?v=1", headers={"Accept-Encoding": "br"}):
        served = static_response(folder, "css/app.css")
    assert brotli.decompress(served.get_data()) == b"/* the written file is what is served */"

    variant.unlink()  # missing: compressed once into the cache
    with app.test_request_context("/static/css/app.css?v=1", headers={"Accept-Encoding": "br"}):
        served = static_response(folder, "css/app.css")
    assert served.headers["Content-Encoding"] == "br"
    assert brotli.decompress(served.get_data()) == css.read_bytes()


def test_a_stale_variant_is_never_served(app, tmp_path):
    from lms.web.static_files import static_response

    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    css = folder / "css" / "app.css"
    css.write_text("body{color:red}" * 100)
    stale = css.with_name("app.css.gz")
    stale.write_bytes(gzip.compress(b"old"))
    os.utime(stale, (css.stat().st_mtime - 60, css.stat().st_mtime - 60))
    with app.test_request_context("/static/css/app.css", headers={"Accept-Encoding": "gzip"}):
        served = static_response(folder, "css/app.css")
    assert gzip.decompress(served.get_data()) == css.read_bytes()


def test_lms_assets_compress(app, tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(STATIC / "js", folder / "js", ignore=shutil.ignore_patterns("*.br", "*.gz"))
    app.static_folder = str(folder)
    result = app.test_cli_runner().invoke(args=["assets", "compress"])
    assert result.exit_code == 0, result.output
    assert "js/app.js:" in result.output
    assert (folder / "js" / "app.js.br").is_file() and (folder / "js" / "app.js.gz").is_file()
    assert (
        gzip.decompress((folder / "js" / "app.js.gz").read_bytes())
        == (folder / "js" / "app.js").read_bytes()
    )


def test_files_the_css_names_carry_their_content_hash():
    """A URL with `?v=` is cached for a year as immutable, so the stylesheet's own
    references (fonts) must change when the file does: `?v=` is the first 12 hex digits of
    the file's SHA-256 (update app.css when a font changes)."""
    import hashlib

    css = (STATIC / "css" / "app.css").read_text()
    references = re.findall(r"url\(\.\./([^)?]+)\?v=([^)]+)\)", css)
    assert references, "app.css names no versioned file"
    for name, version in references:
        digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
        assert version == digest, f"{name}: ?v={version} in app.css, the file is {digest}"
    assert not re.findall(r"url\(\.\./[^)?]+\)", css), "an unversioned url() in app.css"
