"""API tokens carry the session epoch they were issued under; password history; the sign-in throttle's table.

Staff and administrators (who must have a second factor) sign in again once: their session epoch moves on, so
a session opened with a password alone before they enrolled (the outside review's finding) ends, and their API
tokens are revoked, since nothing recorded tells which were issued before enrolment. Everyone else's tokens
take the user's current epoch and keep working.

The table of the sign-in throttle (settings.CACHES["throttle"], Django's database cache) is created here, so
`migrate` alone (run by `rongcuo demo` and `rongcuo serve`) prepares a fresh database, SQLite or PostgreSQL.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

THROTTLE_TABLE = "rongcuo_throttle"
# accounts.roles.STAFF_ROLES when this migration was written (a migration does not import live code).
STAFF_ROLES = ("handler", "investigator", "secretary", "org_liaison", "publisher", "sysadmin", "secadmin", "auditadmin")


def tokens_take_epochs(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    ApiToken = apps.get_model("accounts", "ApiToken")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    staff = set(
        RoleAssignment.objects.filter(role__in=STAFF_ROLES, revoked_at__isnull=True).values_list("user_id", flat=True)
    )
    User.objects.filter(pk__in=staff).update(session_epoch=models.F("session_epoch") + 1)
    for token in ApiToken.objects.filter(revoked=False).select_related("user"):
        token.session_epoch = token.user.session_epoch
        token.revoked = token.user_id in staff
        token.save(update_fields=["session_epoch", "revoked"])


def create_throttle_table(apps, schema_editor):
    from django.core.management import call_command

    call_command("createcachetable", THROTTLE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_throttle_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(THROTTLE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_totp_last_step"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="session_epoch",
            field=models.IntegerField(default=0),
        ),
        migrations.CreateModel(
            name="PasswordHistory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("password", models.CharField(max_length=128)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="password_history",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["user", "-id"], name="accounts_pa_user_id_3618be_idx")],
            },
        ),
        migrations.RunPython(tokens_take_epochs, migrations.RunPython.noop),
        migrations.RunPython(create_throttle_table, drop_throttle_table),
    ]
