#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Commands (migrate, load_seeds, rebuild_read_tables) may run statements longer than a
    # web request should wait for; the development server keeps the web request's bound.
    if len(sys.argv) > 1 and sys.argv[1] != "runserver":
        os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
