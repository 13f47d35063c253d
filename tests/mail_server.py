"""A real SMTP server on loopback for tests (aiosmtpd): STARTTLS, TLS from the start or plain,
with a login, keeping every message it accepts; and a webhook receiver."""

from __future__ import annotations

import datetime
import email
import email.policy
import http.server
import ipaddress
import json
import ssl
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from comment_service import free_port

USER, PASSWORD = "blogsmith", "mail-secret"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (the service trusts it through
    SSL_CERT_FILE, as it would a real CA's)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, False, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "mail-cert.pem", folder / "mail-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Keeper:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append((list(envelope.rcpt_tos), message, envelope.content))
        return "250 OK"


def _login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # a failure answered 535


class MailServer:
    def __init__(self, folder: Path, mode: str = "starttls", port: int = 0) -> None:
        self.cert, self.key = self_signed(folder)
        self.mode = mode
        self.port = port or free_port()
        self.messages: list[tuple[list[str], email.message.EmailMessage, bytes]] = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    def url(self, with_login: bool = True) -> str:
        scheme = "smtps" if self.mode == "tls" else "smtp"
        login = f"{USER}:{PASSWORD}@" if with_login else ""
        return f"{scheme}://{login}127.0.0.1:{self.port}"

    def start(self) -> MailServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        settings: dict = {
            "hostname": "127.0.0.1",
            "port": self.port,
            "authenticator": _login,
            "auth_required": True,
            "auth_require_tls": self.mode == "starttls",  # TLS from the start: it knows not
        }
        if self.mode == "starttls":
            settings.update(tls_context=context, require_starttls=True)
        elif self.mode == "tls":
            settings.update(ssl_context=context)
        self.controller = Controller(_Keeper(self), **settings)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def received(self) -> list[tuple[list[str], email.message.EmailMessage, bytes]]:
        with self.lock:
            return list(self.messages)

    def wait_for(self, count: int, seconds: float = 30.0):
        """The messages once there are `count` of them (AssertionError after `seconds`)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= count:
                return got
            time.sleep(0.1)
        raise AssertionError(f"{len(self.received())} mails arrived, {count} expected")


class WebhookReceiver:
    """An HTTP server on loopback keeping the JSON posted to it."""

    def __init__(self) -> None:
        posted: list = []
        self.posted = posted

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                posted.append(
                    (self.headers.get("Content-Type"), json.loads(self.rfile.read(length)))
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/moderators"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
