"""Gzip for text responses: trainees on 2G/3G pay for every byte."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

from lms.web.http_headers import add_vary

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/javascript",
    "image/svg+xml",
    "application/manifest+json",
)


def init_compression(app: Flask) -> None:
    minimum = app.config["COMPRESS_MIN_BYTES"]

    @app.after_request
    def compress(response: Response) -> Response:
        if (
            "gzip" not in request.headers.get("Accept-Encoding", "").lower()
            or response.direct_passthrough
            or getattr(response, "precompressed", False)  # static files: lms.web.static_files
            or response.status_code < 200
            or response.status_code in (204, 304)
            or "Content-Encoding" in response.headers
            or not (response.mimetype or "").startswith(COMPRESSIBLE)
        ):
            add_vary(response.headers, "Accept-Encoding")
            return response
        data = response.get_data()
        if len(data) < minimum:
            add_vary(response.headers, "Accept-Encoding")
            return response
        response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        add_vary(response.headers, "Accept-Encoding")
        return response
