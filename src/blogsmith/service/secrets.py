"""Keys, signed tokens, hashed addresses and passwords: everything the service signs or hashes.

The signing key is made on first start and kept in the database, so every instance behind a
proxy signs alike, or comes from BLOGSMITH_COMMENTS_SECRET. Passwords are scrypt hashes (the
standard library's; slow on purpose) compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets

from blogsmith.service.database import Database, Duplicate

SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 2**20}
"""About 0.1 s and 32 MiB a guess: the cost OWASP names for scrypt."""


def signing_key(database: Database) -> bytes:
    given = os.environ.get("BLOGSMITH_COMMENTS_SECRET")
    if given:
        return hashlib.sha256(given.encode()).digest()
    fresh = secrets.token_hex(32)
    try:
        with database.transaction() as run:
            run("INSERT INTO secrets (name, value) VALUES (?, ?)", ("signing", fresh))
    except Duplicate:
        pass  # another instance made it first
    with database.transaction() as run:
        (value,) = run("SELECT value FROM secrets WHERE name = ?", ("signing",))[0]
    return bytes.fromhex(value)


class Signer:
    def __init__(self, key: bytes) -> None:
        self.key = key

    def sign(self, *parts: str) -> str:
        payload = "|".join(parts)
        mac = hmac.new(self.key, payload.encode(), hashlib.sha256).digest()[:18]
        return f"{payload}|{base64.urlsafe_b64encode(mac).decode()}"

    def unsign(self, token: str, count: int) -> list[str] | None:
        """The `count` parts of a token this signer made, or None for anything else."""
        payload, _, mac = token.rpartition("|")
        parts = payload.split("|")
        if len(parts) != count or len(token) > 1000:
            return None
        expected = self.sign(*parts).rpartition("|")[2]
        return parts if hmac.compare_digest(mac, expected) else None

    def address(self, address: str) -> str:
        """A reader's IP address as stored: keyed, so the database alone never gives it; the
        connection it names, so one reader is one address to votes, limits and lock-outs."""
        keyed = connection_of(address).encode()
        return hmac.new(self.key, b"address|" + keyed, hashlib.sha256).hexdigest()[:32]


def connection_of(address: str) -> str:
    """An IPv6 address by its /64: one home connection or phone gets a whole /64 and its
    devices pick (and change) the rest at will. An IPv4-mapped IPv6 address is the IPv4 one."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])  # without a zone (fe80::1%eth0)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    made = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${salt.hex()}${made.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    """True when `password` matches; as slow for an unknown name as for a wrong password."""
    if stored is None:
        stored = _DUMMY
    try:
        scheme, n, salt, expected = stored.split("$")
        made = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), **{**SCRYPT, "n": int(n)}
        )
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(made.hex(), expected) and stored is not _DUMMY


_DUMMY = hash_password(secrets.token_hex(16))
