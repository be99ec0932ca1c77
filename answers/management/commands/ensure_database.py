from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError


class Command(BaseCommand):
    help = (
        "Create the PostgreSQL database named in DATABASE_URL if it does not exist yet, so "
        "`make run` works on a fresh server. SQLite creates its file by itself."
    )
    requires_system_checks = []

    def handle(self, **options):
        if connection.vendor != "postgresql":
            return
        try:
            connection.ensure_connection()
            return
        except OperationalError as error:
            if "does not exist" not in str(error):
                raise CommandError(f"Cannot reach the database: {error}") from None
        name = connection.settings_dict["NAME"]
        # Connect to the server's maintenance database, as Django's test runner does.
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        self.stdout.write(f"Created the database “{name}”.")
