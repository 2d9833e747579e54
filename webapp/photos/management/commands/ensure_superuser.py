"""`make run` calls this before starting the server: it never prompts (CI has no stdin).

With DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD (and optionally
DJANGO_SUPERUSER_EMAIL) set, it makes sure that superuser exists; otherwise it says how to
get into the admin.
"""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create the superuser named by DJANGO_SUPERUSER_* if missing; never prompts."

    def handle(self, *args, **options):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "").strip()
        if not username or not password:
            self.stdout.write(
                "Admin: no superuser configured. To log in at /admin/, either run\n"
                "  .venv/bin/python manage.py createsuperuser\n"
                "or set DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD (and\n"
                "optionally DJANGO_SUPERUSER_EMAIL) before `make run`."
            )
            return
        User = get_user_model()
        with transaction.atomic():
            user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
            if user is None:
                User._default_manager.create_superuser(
                    **{User.USERNAME_FIELD: username}, email=email, password=password
                )
                self.stdout.write(self.style.SUCCESS(f"Admin: created superuser {username!r}."))
                return
            if not (user.is_staff and user.is_superuser):
                # An existing account named for the admin is promoted, its password kept.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
                self.stdout.write(self.style.SUCCESS(f"Admin: {username!r} is now a superuser."))
            else:
                self.stdout.write(f"Admin: superuser {username!r} already exists.")
