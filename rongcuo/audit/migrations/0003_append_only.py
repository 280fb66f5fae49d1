"""Database triggers that make the audit table append-only.

The hash chain *detects* a changed or deleted record; these triggers *prevent* one through the
application's own connection (a bug, a stray admin query). A DBA can still drop them, which is why
verify and the exported checkpoints exist. The SQL is kept here, self-contained, because a migration
must keep meaning what it meant when it was applied; tests reuse install()/remove() from this module.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "audit_auditrecord"
MESSAGE = "审计记录只能追加，不能修改或删除"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_record_no_update;",
    "DROP TRIGGER IF EXISTS audit_record_no_delete;",
]

# SQLSTATE 23000 (integrity_constraint_violation) so both backends raise django.db.IntegrityError.
# TRUNCATE of an empty table is let through: it loses nothing, and Django's test flush truncates
# every table after each transactional test, also in apps that never write an audit record.
POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_record_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM {TABLE}) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23000';
    END;
    $$;
    """,
    f"DROP TRIGGER IF EXISTS audit_record_no_change ON {TABLE};",
    f"CREATE TRIGGER audit_record_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_record_refuse_change();",
    f"DROP TRIGGER IF EXISTS audit_record_no_truncate ON {TABLE};",
    f"CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_record_refuse_change();",
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_record_no_change ON {TABLE};",
    f"DROP TRIGGER IF EXISTS audit_record_no_truncate ON {TABLE};",
    "DROP FUNCTION IF EXISTS audit_record_refuse_change();",
]

INSTALL = {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}
REMOVE = {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}


def _run(statements: dict[str, list[str]], connection: Any) -> None:
    sql = statements.get(connection.vendor)
    if sql is None:  # another database: the chain still detects tampering, nothing prevents it
        return
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def install(connection: Any) -> None:
    _run(INSTALL, connection)


def remove(connection: Any) -> None:
    _run(REMOVE, connection)


def forwards(apps: Any, schema_editor: Any) -> None:
    install(schema_editor.connection)


def backwards(apps: Any, schema_editor: Any) -> None:
    remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_head")]
    operations = [migrations.RunPython(forwards, backwards)]
