"""Compressed answers: a phone on 2G pulls customers, catalog and its own documents as JSON,
which shrinks five to ten times. flask-compress does the work; live change feeds are left
alone, because a compressor holds back their heartbeats until its buffer fills."""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress

# Set by the gateway on a live feed: proxies (nginx) and this module must pass it through as is.
NO_BUFFERING = "X-Accel-Buffering"
COMPRESSED_TYPES = ["application/json", "text/html", "text/css", "text/plain", "text/csv",
                    "application/javascript", "text/javascript", "image/svg+xml"]


def install_compression(app: Flask) -> None:
    app.config.update(COMPRESS_REGISTER=False, COMPRESS_MIMETYPES=COMPRESSED_TYPES,
                      COMPRESS_MIN_SIZE=1024, COMPRESS_STREAMS=True)
    compress = Compress(app)

    @app.after_request
    def compress_unless_live(response: Response) -> Response:
        if response.headers.get(NO_BUFFERING) == "no":
            return response
        return compress.after_request(response)
