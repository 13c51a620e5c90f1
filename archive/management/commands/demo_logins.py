"""Create (or reset) the local demo logins and print them.

For a demo on your own machine only: the passwords are printed in clear.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

DEMO_USERS = (
    # username, group, superuser
    ("archivist", "Archivists", False),
    ("reader", "Readers", False),
    ("admin", None, True),
)


class Command(BaseCommand):
    help = "Create or reset the demo logins (archivist, reader, admin) and print them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="Where the admin is served."
        )

    def handle(self, *args, **options):
        User = get_user_model()
        lines = []
        for username, group, superuser in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            if group:
                user.groups.set([Group.objects.get(name=group)])
            role = group or "superuser (may also delete and recover)"
            lines.append(f"  {username:<10} {password:<14} {role}")
        self.stdout.write(f"Demo logins for {options['url']} (new passwords each run):")
        self.stdout.write("  user       password       group")
        for line in lines:
            self.stdout.write(line)
