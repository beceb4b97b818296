"""Find or start the PostgreSQL the host uses, and make sure its database exists.

    python -m crm_host.devdb [DEFAULT_NAME] [--fresh]   → prints the DATABASE_URL to use

``DATABASE_URL``, when set, is used in full: its server *and* its database
name. ``DEFAULT_NAME`` only names the database when ``DATABASE_URL`` is not
set (``bin/test`` passes ``saleor_crm``, ``bin/demo`` ``saleor_crm_demo``).

``--fresh`` (the demo starts from nothing) drops and recreates the database
only when it is a scratch database this module created itself under the
default name: such a database carries ``SCRATCH_COMMENT``. A database the
user named in ``DATABASE_URL`` is never dropped, and neither is one under the
default name that this module did not create.

Server order: ``DATABASE_URL`` if set (it must work); else the local server at
127.0.0.1:5432; else an embedded PostgreSQL from the PyPI package
``pgserver`` (installed on demand by ``bin/setup``), kept in ``.pgdata/``.
"""

import os
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_NAME = "saleor_crm"
SCRATCH_COMMENT = "scratch database of the saleor-crm-plugin demo (bin/demo drops it on its next run)"


class DatabaseRefused(Exception):
    """The database exists but is not ours to drop."""


def server_and_name(url: str) -> tuple[str, str]:
    """Split a PostgreSQL URL into the server part and the database name."""
    server, _, name = url.rpartition("/")
    return server, name.split("?")[0]


def _reachable(url: str) -> bool:
    server, _ = server_and_name(url)
    try:
        with psycopg.connect(f"{server}/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _comment(conn, name: str) -> str | None:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    return None if row is None else (row[0] or "")


def ensure_database(url: str, fresh: bool = False) -> str:
    """Create the database named in ``url`` if it does not exist; return ``url``.

    With ``fresh`` the database is dropped first, but only if it is a scratch
    database created here (marked with ``SCRATCH_COMMENT``); a database that
    exists without the mark raises ``DatabaseRefused``. A database created
    with ``fresh`` gets the mark, so the next fresh run may drop it.
    """
    server, name = server_and_name(url)
    quoted = sql.Identifier(name)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        comment = _comment(conn, name)
        if fresh and comment is not None:
            if comment != SCRATCH_COMMENT:
                raise DatabaseRefused(
                    f"Database {name!r} exists and was not created by this script, so it is not dropped. "
                    f"Drop it yourself (dropdb {name}) or name another database in DATABASE_URL."
                )
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(quoted))
            comment = None
        if comment is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(quoted))
            if fresh:
                conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(quoted, sql.Literal(SCRATCH_COMMENT)))
    return url


def embedded_server_url(name: str) -> str:
    """Start (or find) the embedded PostgreSQL in ``.pgdata/``; return a URL to ``name`` on it."""
    import pgserver  # installed on demand by bin/setup only when no server is reachable

    data = ROOT / ".pgdata"
    server = pgserver.get_server(data, cleanup_mode=None)  # keep running for the next command
    socket_dir = server.get_uri().split("host=")[-1].split("&")[0]
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{name}"


def resolve(default_name: str, fresh: bool, environ=os.environ) -> tuple[str, bool]:
    """The URL to use and whether ``--fresh`` applies to it (only to a default-named database)."""
    url = environ.get("DATABASE_URL")
    if url:
        if not server_and_name(url)[1]:
            sys.exit(f"DATABASE_URL names no database: {url}")
        if not _reachable(url):
            sys.exit(f"DATABASE_URL is set but its server cannot be reached: {url}")
        return url, False  # the user named this database: use it as it is, never drop it
    if _reachable(f"{LOCAL_SERVER}/postgres"):
        return f"{LOCAL_SERVER}/{default_name}", fresh
    print("No PostgreSQL at 127.0.0.1:5432; starting an embedded one (pgserver).", file=sys.stderr)
    return embedded_server_url(default_name), fresh


def main() -> None:
    """Print the DATABASE_URL to use after making sure its database exists."""
    args = [a for a in sys.argv[1:] if a != "--fresh"]
    url, fresh = resolve(args[0] if args else DEFAULT_NAME, "--fresh" in sys.argv[1:])
    if "--fresh" in sys.argv[1:] and not fresh:
        print(f"Using the database named in DATABASE_URL ({server_and_name(url)[1]}) as it is: "
              "it is not dropped.", file=sys.stderr)
    try:
        print(ensure_database(url, fresh=fresh))
    except DatabaseRefused as refused:
        sys.exit(str(refused))


if __name__ == "__main__":
    main()
