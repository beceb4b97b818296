"""Find or start the PostgreSQL the host uses, and make sure its database exists.

    python -m crm_host.devdb [DBNAME] [--fresh]   → prints the DATABASE_URL to use

``--fresh`` drops and recreates the database (the demo starts from nothing).

Order: ``DATABASE_URL`` if set (it must work); else the local server at
127.0.0.1:5432; else an embedded PostgreSQL from the PyPI package
``pgserver`` (installed on demand by ``bin/setup``), kept in ``.pgdata/``.
"""

import os
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOCAL = "postgres://postgres@127.0.0.1:5432/saleor_crm"


def _server_and_name(url: str) -> tuple[str, str]:
    server, _, name = url.rpartition("/")
    return server, name.split("?")[0]


def _reachable(url: str) -> bool:
    server, _ = _server_and_name(url)
    try:
        with psycopg.connect(f"{server}/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def ensure_database(url: str, fresh: bool = False) -> str:
    """Create the database named in ``url`` if it does not exist; return ``url``."""
    server, name = _server_and_name(url)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url


def embedded_server_url(name: str) -> str:
    import pgserver

    data = ROOT / ".pgdata"
    server = pgserver.get_server(data, cleanup_mode=None)  # keep running for the next command
    socket_dir = server.get_uri().split("host=")[-1].split("&")[0]
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{name}"


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--fresh"]
    fresh = "--fresh" in sys.argv[1:]
    name = args[0] if args else None
    url = os.environ.get("DATABASE_URL")
    if url:
        if name:
            url = f"{_server_and_name(url)[0]}/{name}"
        if not _reachable(url):
            sys.exit(f"DATABASE_URL is set but its server cannot be reached: {url}")
    elif _reachable(LOCAL):
        url = LOCAL if not name else f"{_server_and_name(LOCAL)[0]}/{name}"
    else:
        print("No PostgreSQL at 127.0.0.1:5432; starting an embedded one (pgserver).", file=sys.stderr)
        url = embedded_server_url(name or "saleor_crm")
    print(ensure_database(url, fresh=fresh))


if __name__ == "__main__":
    main()
