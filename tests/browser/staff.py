"""Staff in the browser: accounts in the editorial groups, logging in, workflow buttons."""

import re

from django.contrib.auth.models import Group

from tests.factories import UserFactory

PASSWORD = "browser-staff-password-2026"


def staff(username: str, group: str | None = None, **fields):
    """A staff account (in `group` when given) that logs in with PASSWORD."""
    user = UserFactory(username=username, is_staff=True, password=PASSWORD, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def click_transition(page, name: str) -> None:
    page.click(f"form[data-transition={name}] button[type=submit]")
    page.wait_for_load_state()
