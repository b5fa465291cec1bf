"""Real local servers for what leaves the process: an HTTP endpoint that records requests
(SMS gateway, Twilio, WhatsApp Cloud) and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class Endpoint:
    """Records each POST (path, headers, decoded body); answers with the next status of
    `statuses` (the last one repeats) and `reply(body)` as JSON."""

    def __init__(self, statuses=(202,), reply=None) -> None:
        self.statuses, self.requests = list(statuses), []
        self.reply = reply or (lambda body: {"id": f"gw-{body.get('reference', '')}"})
        lock, endpoint = threading.Lock(), self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw)
                else:
                    body = dict(parse_qsl(raw))
                with lock:
                    endpoint.requests.append((self.path, dict(self.headers), body))
                    status = endpoint.statuses.pop(0) if len(endpoint.statuses) > 1 else (
                        endpoint.statuses[0])  # fmt: skip
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(endpoint.reply(body)).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def bodies(self) -> list:
        return [body for _path, _headers, body in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """An SMTP server on loopback that keeps every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd
                mailbox.messages.append((envelope.rcpt_tos, envelope.content.decode()))
                return "250 OK"

        with socket.socket() as probe:  # aiosmtpd cannot start on port 0
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()
