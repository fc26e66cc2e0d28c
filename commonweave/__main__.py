"""`python -m commonweave <command> [options]`: Commonweave's management commands without
manage.py, e.g. `python -m commonweave demo --residents 300 --if-empty`."""

import os
import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    execute_from_command_line(["python -m commonweave", *(argv or ["help"])])


if __name__ == "__main__":
    main()
