#!/usr/bin/env python
"""Django's command-line utility for sakip."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sakip.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A malformed environment variable: say which, without a traceback.
        sys.exit(f"sakip: configuration error: {exc}")


if __name__ == "__main__":
    main()
