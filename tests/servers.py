"""What delivery tests share: real servers on 127.0.0.1 that keep everything they received (an
HTTP server answering from a function or a script, a fake Statuspage, aiosmtpd with STARTTLS and
AUTH, a bare TCP listener for servers that misbehave below HTTP), and delivery's clock, injected
so that no retry, Retry-After or pacing wait happens for real."""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

from incplan.delivery import retry

HOST = "127.0.0.1"
WALL = 1_800_000_000.0  # "now" for Retry-After dates: 2027-01-15T08:00:00Z
POLL = 0.02  # seconds: how soon a server notices it is shut down (socketserver's default 0.5 s made
# each delivery test wait half a second in teardown)


# ---------------------------------------------------------------- the clock


@dataclass
class FakeClock:
    """Delivery's clock: a wait only moves it forward. `slept` lists every wait, in order."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def timing(self) -> retry.Timing:
        # jitter 0.5: half of the policy's 0.5 s, so that a backoff is a known figure (1.25, 2.25, ...)
        return retry.Timing(sleep=self.sleep, clock=lambda: self.now, wall=lambda: WALL, jitter=lambda: 0.5)


# ---------------------------------------------------------------- HTTP


@dataclass
class Request:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class Reply:
    """An answer: `body` as bytes, text, or anything else as JSON. `drip` and `drip_head` send the
    body or the status line and headers a byte at a time, that many seconds apart."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0
    drip_head: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Answer = Reply | Callable[[Request], Reply]


@dataclass
class HttpServer:
    """Answers each request with `respond(request)`, else from a script per (method, path
    prefix) set with `on`, else 404; keeps every request it received, in order."""

    respond: Callable[[Request], Reply] | None = None
    base: str = ""
    received: list[Request] = field(default_factory=list)
    script: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, method: str, prefix: str, *answers: Answer) -> None:
        """Answer `method` on paths under `prefix` with each answer in turn; the last one stays."""
        self.script[(method, prefix)] = list(answers)

    def got(self, method: str | None = None, prefix: str = "") -> list[Request]:
        return [r for r in self.received if (method is None or r.method == method) and r.path.startswith(prefix)]

    def answer(self, request: Request) -> Reply:
        with self.lock:
            self.received.append(request)
            if self.respond is not None:
                return self.respond(request)
            answers = next(
                (a for (m, p), a in self.script.items() if m == request.method and request.path.startswith(p)), None
            )
            if not answers:
                return Reply(404, {"error": "not found"})
            first = answers.pop(0) if len(answers) > 1 else answers[0]
            return first(request) if callable(first) else first


def _handler(server: HttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _any(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            reply = server.answer(Request(self.command, self.path, dict(self.headers.items()), body))
            payload = reply.payload()
            # The handler closes after each answer: say so, or a client may reuse the closed
            # connection and see a network error that depends on the machine's load.
            head = f"HTTP/1.1 {reply.status} Whatever\r\n".encode()
            headers = {"Content-Length": str(len(payload)), "Connection": "close"}
            if not isinstance(reply.body, bytes | str):
                headers["Content-Type"] = "application/json"
            for key, value in {**headers, **reply.headers}.items():
                head += f"{key}: {value}\r\n".encode()
            head += b"\r\n"
            try:
                for chunk, pause in ((head, reply.drip_head), (payload, reply.drip)):
                    if not pause:
                        self.wfile.write(chunk)
                        continue
                    for i in range(len(chunk)):
                        self.wfile.write(chunk[i : i + 1])
                        self.wfile.flush()
                        time.sleep(pause)
            except OSError:
                pass  # the client gave up: that is the point of some cases

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

    return Handler


@contextmanager
def http_server(
    respond: Callable[[Request], Reply] | None = None, *, tls: ssl.SSLContext | None = None
) -> Iterator[HttpServer]:
    server = HttpServer(respond)
    httpd = ThreadingHTTPServer((HOST, 0), _handler(server))
    httpd.daemon_threads = True
    scheme = "http"
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    server.base = f"{scheme}://{HOST}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": POLL}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class FakeService:
    """A fake service: it answers each request (`__call__`) and sees all that its server received."""

    server: HttpServer = field(default_factory=HttpServer)

    def __call__(self, request: Request) -> Reply:
        raise NotImplementedError


FakeT = TypeVar("FakeT", bound=FakeService)


@contextmanager
def serve(fake: FakeT) -> Iterator[FakeT]:
    """`fake` answering on 127.0.0.1 (its server at `fake.server`)."""
    with http_server(fake) as server:
        fake.server = server
        yield fake


# ---------------------------------------------------------------- Statuspage


@dataclass
class FakeStatuspage:
    """Statuspage's incidents API (v1) as incplan uses it, under any path prefix: create
    (`POST .../pages/PAGE/incidents`), update (`PATCH .../incidents/ID`), and the lookups of a
    retried create (`GET .../incidents/unresolved`, `/upcoming`). Requests without the key get
    401. `lose_first_create`: the first create lands but is answered 500; `fail_first_create`:
    it is answered 500 and does not land."""

    api_key: str
    id_prefix: str = "inc"
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    lose_first_create: bool = False
    fail_first_create: bool = False
    creates: int = 0  # tried
    made: int = 0  # landed

    def __call__(self, request: Request) -> Reply:
        if request.header("Authorization") != f"OAuth {self.api_key}":
            return Reply(401, {"error": "unauthorized"})
        route = re.fullmatch(r".*/pages/\w+/incidents(?:/(\w+))?", request.path)
        if route is None:
            return Reply(404, {"error": "not found"})
        which = route.group(1)
        if request.method == "GET" and which in ("unresolved", "upcoming"):
            return Reply(200, [i for i in self.incidents.values() if i["status"] not in ("resolved", "completed")])
        if request.method == "POST" and which is None:
            self.creates += 1
            if self.fail_first_create and self.creates == 1:
                return Reply(500, {"error": "upstream timeout"})
            self.made += 1
            incident = {"id": f"{self.id_prefix}{self.made}", **request.json()["incident"]}
            self.incidents[incident["id"]] = incident
            if self.lose_first_create and self.creates == 1:
                return Reply(500, {"error": "created, but the answer got lost"})
            return Reply(201, incident)
        if request.method == "PATCH" and which in self.incidents:
            self.incidents[which].update(request.json()["incident"])
            return Reply(200, self.incidents[which])
        return Reply(404, {"error": "no such incident"})


# ---------------------------------------------------------------- SMTP


class Mailbox:
    """An aiosmtpd handler keeping every message it accepted (as sent, and parsed as mail clients
    do), the MAIL FROM options and the logins."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.messages: list[EmailMessage] = []
        self.mail_options: list[list[str]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.original_content)
        self.messages.append(parse_mail(envelope.original_content))
        self.mail_options.append(list(envelope.mail_options))
        return "250 Message accepted for delivery"


def parse_mail(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@dataclass(frozen=True)
class Login:
    user: str
    password: str


@dataclass(frozen=True)
class LocalCA:
    """A certificate authority of the test's own, trusted by the client through SSL_CERT_FILE."""

    server_context: ssl.SSLContext
    ca_file: Path


def local_ca(folder: Path) -> LocalCA:
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST, "localhost").configure_cert(context)
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return LocalCA(context, ca_file)


@contextmanager
def smtp_server(
    mailbox: Mailbox, *, starttls: ssl.SSLContext | None = None, login: Login | None = None
) -> Iterator[int]:
    """aiosmtpd on 127.0.0.1 (its port yielded): plain, or requiring STARTTLS and, with `login`,
    AUTH over TLS with those credentials."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert login is not None
        ok = auth_data.login == login.user.encode() and auth_data.password == login.password.encode()
        if ok:
            mailbox.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # a refusal is answered 535, as real servers do

    options: dict[str, Any] = {}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True)
    if login is not None:
        options.update(authenticator=authenticator, auth_require_tls=starttls is not None)
    controller = Controller(mailbox, hostname=HOST, port=free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# ---------------------------------------------------------------- below HTTP


@dataclass
class Listener:
    port: int
    connections: int = 0


@contextmanager
def tcp_server(serve: Callable[[socket.socket], None]) -> Iterator[Listener]:
    """A bare TCP server on 127.0.0.1 handing each connection to `serve` (one at a time), for a
    server that misbehaves below HTTP or SMTP (an untrusted certificate, a dripped greeting)."""
    sock = socket.create_server((HOST, 0))
    listener = Listener(sock.getsockname()[1])

    def accept() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # closed: the test is over
            listener.connections += 1
            with conn, suppress(OSError, ssl.SSLError):
                serve(conn)

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener
    finally:
        sock.close()
