"""Database triggers that keep the record append-only: history, signatures and attachments refuse UPDATE and DELETE.

The guard lives in the database, not in the ORM, so that no code path, shell session or plain SQL client
can change the past; the hash chain (sakip.workflow.history) then tells whether anyone went around it.
The migrations call ``install``; a restore tool may ``uninstall`` and ``install`` around its work.

On SQLite a migration that rebuilds one of these tables (Django copies it to a new table and drops the old
one) drops its triggers with it: such a migration must call ``install`` again. ``missing`` tells, and
``manage.py verify_history`` and the tests check it.
"""

from __future__ import annotations

# Tables of HistoryEntry, Signature and Attachment. Written out rather than read from the models, so that
# the migrations that call this module keep meaning what they meant when they were written.
GUARDED_TABLES = ("workflow_historyentry", "workflow_signature", "workflow_attachment")

MESSAGE = "sakip: history is append-only"

_PG_FUNCTION = "sakip_append_only"


def _sqlite_names(table: str) -> tuple[str, str]:
    return f"sakip_append_only_{table}_update", f"sakip_append_only_{table}_delete"


def _pg_trigger(table: str) -> str:
    return f"sakip_append_only_{table}"


def _statements_install(vendor: str, tables) -> list[str]:
    if vendor == "sqlite":
        statements = []
        for table in tables:
            on_update, on_delete = _sqlite_names(table)
            for name, event in ((on_update, "UPDATE"), (on_delete, "DELETE")):
                # RAISE(ABORT) undoes the statement and reports a constraint failure (IntegrityError).
                statements.append(
                    f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE {event} ON "{table}" '
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({table})'); END"
                )
        return statements
    if vendor == "postgresql":
        # restrict_violation (23001) is an integrity error, as on SQLite: callers see one kind of refusal.
        statements = [
            f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; "
            f"END $$"
        ]
        for table in tables:
            name = _pg_trigger(table)
            statements.append(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            statements.append(
                f'CREATE TRIGGER "{name}" BEFORE UPDATE OR DELETE ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()"
            )
        return statements
    raise NotImplementedError(f"sakip's append-only guard supports SQLite and PostgreSQL, not {vendor}.")


def _statements_uninstall(vendor: str, tables) -> list[str]:
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{name}"' for table in tables for name in _sqlite_names(table)]
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{_pg_trigger(table)}" ON "{table}"' for table in tables]
    raise NotImplementedError(f"sakip's append-only guard supports SQLite and PostgreSQL, not {vendor}.")


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection, tables=GUARDED_TABLES) -> None:
    """Create the triggers (again): running it twice changes nothing."""
    _run(connection, _statements_install(connection.vendor, tables))


def uninstall(connection, tables=GUARDED_TABLES) -> None:
    """Drop the triggers. The PostgreSQL function stays: it does nothing without its triggers."""
    _run(connection, _statements_uninstall(connection.vendor, tables))


def missing(connection, tables=GUARDED_TABLES) -> list[str]:
    """The guarded tables that lack a trigger for UPDATE or DELETE (empty when all are guarded)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {row[0] for row in cursor.fetchall()}
            return [table for table in tables if not set(_sqlite_names(table)) <= present]
        if connection.vendor == "postgresql":
            # tgtype bits: 8 = DELETE, 16 = UPDATE; 1 = FOR EACH ROW, 2 = BEFORE.
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'sakip_append_only_' || c.relname AND t.tgenabled <> 'D' "
                "AND t.tgtype & 27 = 27 AND c.relname = ANY(%s) AND pg_table_is_visible(c.oid)",
                [list(tables)],
            )
            present = {row[0] for row in cursor.fetchall()}
            return [table for table in tables if table not in present]
    raise NotImplementedError(f"sakip's append-only guard supports SQLite and PostgreSQL, not {connection.vendor}.")
