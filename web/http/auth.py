"""Access control for the web server: loopback-only unless credentials are configured, and
HTTP Basic authentication over every route when they are."""
from __future__ import annotations

import base64
import binascii
import ipaddress
import secrets
from typing import Any

from core.errors import ConfigError

REALM = "PlanGraph"
# CORS preflights carry no credentials; they are answered without touching any data
PREFLIGHT_PATHS = ("/sparql", "/sparql/")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_access(cfg: Any) -> None:
    """Refuse to serve beyond loopback without credentials (ConfigError, one line)."""
    if cfg.auth:
        user, _, password = cfg.auth.partition(":")
        if not user or not password:
            raise ConfigError("config auth: user and password must both be non-empty (user:password)")
    elif not is_loopback(cfg.host):
        raise ConfigError(f"refusing to serve on {cfg.host}: an address other than loopback needs "
                          "authentication; pass --auth user:password or set PLANGRAPH_AUTH")


class BasicAuthMiddleware:
    """ASGI middleware: every HTTP request and websocket needs `Authorization: Basic …`
    matching `credentials` ("user:password"); compared in constant time."""

    def __init__(self, app: Any, credentials: str):
        user, sep, password = credentials.partition(":")
        if not sep or not user or not password:
            raise ConfigError("BasicAuthMiddleware credentials: expected user:password")
        self.app = app
        self._user, self._password = user.encode(), password.encode()

    def _authorized(self, headers: list[tuple[bytes, bytes]]) -> bool:
        value = next((v for k, v in headers if k.lower() == b"authorization"), b"")
        scheme, _, token = value.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            user, _, password = base64.b64decode(token.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        ok_user = secrets.compare_digest(user, self._user)
        return secrets.compare_digest(password, self._password) and ok_user

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if scope["type"] == "http" and scope["method"] == "OPTIONS" \
                and scope["path"] in PREFLIGHT_PATHS:
            return await self.app(scope, receive, send)
        if self._authorized(scope.get("headers", [])):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode()),
                                (b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": b"authentication required\n"})
