from django.core.management.commands import flush
from django.db import connections

from monographs.publishing.immutability import maintenance


class Command(flush.Command):
    """Django's flush, allowed past the immutability triggers: emptying is not editing."""

    def handle(self, **options):
        with maintenance(connections[options["database"]]):
            return super().handle(**options)
