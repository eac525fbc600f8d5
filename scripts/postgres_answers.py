"""Exit 0 when the PostgreSQL server in the URL given accepts a TCP connection."""

from __future__ import annotations

import socket
import sys

from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])
try:
    socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2).close()
except OSError:
    sys.exit(1)
