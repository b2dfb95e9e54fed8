"""Render deploy/nginx.conf.in for N replicas (stdlib only).

    python deploy/render.py --listen 127.0.0.1:8080 --prefix /var/lib/plangraph-nginx \
        --replica 127.0.0.1:7861 --replica 127.0.0.1:7862 > nginx.conf
    nginx -c "$PWD/nginx.conf"
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.in")
_HOSTPORT = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def render(listen: str, replicas: list[str], prefix: Path) -> str:
    if not replicas:
        raise ValueError("at least one --replica host:port is needed")
    for hp in [listen, *replicas]:
        if not _HOSTPORT.match(hp):
            raise ValueError(f"not a host:port: {hp!r}")
    servers = "\n".join(f"        server {r} max_fails=1 fail_timeout=2s;" for r in replicas)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in (("SERVERS", servers), ("LISTEN", listen), ("PREFIX", str(prefix))):
        text = text.replace(f"@{name}@", value)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="nginx config for PlanGraph replicas")
    ap.add_argument("--listen", default="127.0.0.1:8080")
    ap.add_argument("--prefix", type=Path, required=True,
                    help="a folder nginx may write (pid, logs, temp files)")
    ap.add_argument("--replica", action="append", default=[], help="host:port of `app.py serve`")
    a = ap.parse_args(argv)
    try:
        sys.stdout.write(render(a.listen, a.replica, a.prefix.resolve()))
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
