"""Login lockout (django-axes): per username from one address, and per address.

AXES_FAILURE_LIMIT wrong passwords for one username from one address lock that pair;
AXES_ADDRESS_FAILURE_LIMIT wrong passwords from one address, whatever the usernames, lock
the address (password spraying: one guess each for many accounts). Axes compares one count
with one limit, so each group's failures are scaled to AXES_FAILURE_LIMIT: a group reaches
it exactly when its own failures reach its own limit.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

ADDRESS = "ip_address"


class UsernameAndAddressLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        username_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        scaled = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            limit = address_limit if parameter == ADDRESS else username_limit
            scaled = max(scaled, failures * username_limit // limit)
        return scaled

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful login forgives that username's failures from that address only.

        Axes would delete every attempt the lockout parameters match, the address's too:
        a sprayer holding one valid account could then clear the address's count at will.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count
