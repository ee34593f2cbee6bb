import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from monographs.editorial.roles import EDITOR, REVIEWER

DEMO_USERS = (("editor", EDITOR), ("reviewer", REVIEWER))


class Command(BaseCommand):
    help = (
        "Create (or reset) the local demo users 'editor' and 'reviewer', staff members of the "
        "Editor and Reviewer groups, and print their new random passwords."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Demo users with printed passwords do not belong "
            "on a public server.",
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a real deployment: demo users with printed "
                "passwords do not belong there. Pass --force if you really mean it."
            )
        groups = {group.name: group for group in Group.objects.filter(name__in=(EDITOR, REVIEWER))}
        missing = {EDITOR, REVIEWER} - set(groups)
        if missing:
            raise CommandError(
                f"The group(s) {', '.join(sorted(missing))} do not exist: run `manage.py migrate`."
            )
        User = get_user_model()
        for username, group in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.add(groups[group])
            verb = "Created" if created else "Reset"
            self.stdout.write(f"{verb} {username} ({group}) with password: {password}")
        self.stdout.write("Log in at /admin/. Run the command again to get new passwords.")
