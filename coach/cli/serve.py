"""``coach serve``: the coach as a local web page and JSON API (``coach.web``), via uvicorn.

FastAPI and uvicorn are imported inside the handler, so ``coach --help`` stays instant and
a machine without the web extra only fails when it asks to serve.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import webbrowser

from coach.cli.common import AddCommand, ensure_knowledge, settings_from
from coach.errors import InputError

DEFAULT_PORT = 8765


def register(add: AddCommand) -> None:
    p = add("serve", "the coach in your browser: a local page and JSON API (see /openapi.json)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default: {DEFAULT_PORT}")
    p.add_argument("--open", action="store_true", help="open the page in your browser")
    p.add_argument(
        "--token",
        help="require this token on every API call (or COACH_TOKEN); needed off 127.0.0.1",
    )
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from coach.web import create_app
        from coach.web.security import check_bind
    except ImportError as exc:
        raise InputError(
            f"`coach serve` needs the web libraries ({exc.name} is missing).",
            "Install them with `pip install -e '.[web]'`.",
        ) from None
    settings = settings_from(args)
    token = args.token or os.environ.get("COACH_TOKEN", "")
    check_bind(args.host, token)
    if not 0 < args.port < 65536:
        raise InputError(f"Port {args.port} is not a port number.", "Use 1-65535, e.g. 8765.")
    ensure_knowledge(settings)
    if args.verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        logging.getLogger("coach.web").addHandler(handler)
        logging.getLogger("coach.web").setLevel(logging.INFO)
    app = create_app(settings, token=token)
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown_host}:{args.port}/"
    print(f"coach serving {url} on {settings.provider} ({settings.model_label}); Ctrl-C stops it.")
    if token:
        print("every API call needs the token; open the page as URL#token=YOUR-TOKEN")
    if args.open:
        # The token travels in the fragment, which the browser never sends to a server.
        page = url + (f"#token={token}" if token else "")
        threading.Timer(1.0, webbrowser.open, [page]).start()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info" if args.verbose else "warning",
        # Our own request log (coach.web) never prints query strings or bodies.
        access_log=False,
    )
    return 0
