"""Local receivers on 127.0.0.1 standing in for the group robots and the mail server: each
checks what it gets the way the real one does (the payload's shape, the signature) and keeps
it for the test to read. Nothing leaves the machine."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Robot:
    """A group robot: ``kind`` is wecom, dingtalk or feishu; with ``secret`` it checks the
    signature as the real one does; it answers HTTP 500 to the first ``fail_first`` requests."""

    kind: str
    secret: str | None = None
    fail_first: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    calls: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        path = {"wecom": "/cgi-bin/webhook/send?key=K1", "dingtalk": "/robot/send?access_token=T1",
                "feishu": "/open-apis/bot/v2/hook/H1"}[self.kind]  # fmt: skip
        return f"http://{host}:{port}{path}"

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls += 1
        if self.calls <= self.fail_first:
            return 500, {"error": "try later"}
        problem = self.check(path, body)
        if problem:
            self.rejected.append(problem)
            code = {"wecom": "errcode", "dingtalk": "errcode", "feishu": "code"}[self.kind]
            return 200, {code: 310000, "errmsg": problem}
        self.received.append(body)
        return 200, ({"code": 0, "msg": "success"} if self.kind == "feishu"
                     else {"errcode": 0, "errmsg": "ok"})  # fmt: skip

    def check(self, path: str, body: dict[str, Any]) -> str | None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        if self.kind == "wecom":
            if query.get("key") != ["K1"]:
                return "bad key"
            if body.get("msgtype") != "markdown" or not body["markdown"].get("content"):
                return "not a markdown message"
            if len(body["markdown"]["content"].encode()) > 4096:
                return "content over 4096 bytes"
        elif self.kind == "dingtalk":
            if body.get("msgtype") != "markdown" or not body["markdown"].get("title") \
                    or not body["markdown"].get("text"):  # fmt: skip
                return "not a markdown message"
            if self.secret:
                ts = int(query["timestamp"][0])
                if abs(ts / 1000 - time.time()) > 3600:
                    return "timestamp too far"
                mac = hmac.new(self.secret.encode(), f"{ts}\n{self.secret}".encode(),
                               hashlib.sha256).digest()  # fmt: skip
                if query.get("sign") != [base64.b64encode(mac).decode()]:
                    return "sign not match"
        else:
            if body.get("msg_type") != "post":
                return "not a post"
            if self.secret:
                ts = int(body["timestamp"])
                key = f"{ts}\n{self.secret}".encode()
                want = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
                if abs(ts - time.time()) > 3600 or body.get("sign") != want:
                    return "sign match fail"
        return None


def start_robot(robot: Robot) -> Robot:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            status, answer = robot.answer(self.path, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    robot.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=robot.server.serve_forever, daemon=True).start()
    return robot


@dataclass
class MailSink:
    """A minimal SMTP server (RFC 5321's commands a client sends for one message) that keeps
    every message it accepts."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])


def start_mail_sink() -> MailSink:
    sink = MailSink()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(f"{line}\r\n".encode())

        def handle(self) -> None:
            self.reply("220 sink ESMTP")
            sender, rcpts = "", []
            while True:
                line = self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")
                if not line:
                    return
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250-sink")
                    self.reply("250 8BITMIME")
                elif verb == "MAIL":
                    sender, rcpts = line.split(":", 1)[1].strip(" <>"), []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    rcpts.append(line.split(":", 1)[1].strip(" <>"))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 go ahead")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    msg = message_from_bytes(data, policy=policy.default)
                    sink.messages.append((sender, rcpts, msg))  # type: ignore[arg-type]
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 OK")

    sink.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    sink.server.daemon_threads = True
    threading.Thread(target=sink.server.serve_forever, daemon=True).start()
    return sink
