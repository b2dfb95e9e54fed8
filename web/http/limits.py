"""Request limits shared by the routes: bodies read with a cap (before they are buffered
whole), and no upload route (the app takes no files).

    raw = await read_body(request, limit)    # bytes, or QueryError(413) once past `limit`
    app.add_middleware(RefuseUploads)          # gradio's /upload answers 404
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

from core.errors import QueryError
from kg.sparql.guard import zh

__all__ = ["read_body", "RefuseUploads", "UPLOAD_PATHS"]

# gradio's file upload routes (mounted at /); the app has no upload component
UPLOAD_PATHS = frozenset({"/gradio_api/upload", "/gradio_api/upload_progress", "/upload",
                          "/upload_progress"})


async def read_body(request: Request, limit: int) -> bytes:
    size = request.headers.get("content-length")
    if size and size.isdigit() and int(size) > limit:
        raise QueryError(zh("请求体过大", f"request body too large: {size} bytes (limit {limit})"),
                         413)
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > limit:
            raise QueryError(zh("请求体过大", f"request body too large (limit {limit} bytes)"), 413)
    return bytes(buf)


class RefuseUploads:
    """ASGI middleware: 404 for gradio's upload routes (nothing is read from the body)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path", "").rstrip("/") in UPLOAD_PATHS:
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body",
                        "body": "不接受上传 (this app accepts no uploads)\n".encode()})
            return
        await self.app(scope, receive, send)
