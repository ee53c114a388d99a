"""Run by bench/load.py in the benchmark's environment: the sessions and addresses the load needs, as JSON.

Sessions are written straight into the session store (Client.force_login): the demo accounts' password
is refused outside DEBUG, and a login through the form would put django-axes and the password hash in
the measurement.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sakip.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.templatetags.static import static  # noqa: E402
from django.test import Client  # noqa: E402

from sakip.ops.volume import DEFAULT_SLUG  # noqa: E402
from sakip.workflow.models import Document, HistoryEntry, Signature  # noqa: E402

# The people whose pages are measured: the demo accounts seed_volume makes sure of.
PEOPLE = ("sekretaris", "admin", "anggota")


def session_of(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def main() -> None:
    signed = list(Signature.objects.order_by("document_id").values_list("document_id", flat=True))
    # A signed document from the middle of the table, not the newest: what a search or a link opens.
    document = signed[len(signed) // 2] if signed else Document.objects.order_by("pk").values_list("pk", flat=True)[0]
    info = {
        "cookie": settings.SESSION_COOKIE_NAME,
        "sessions": {username: session_of(username) for username in PEOPLE},
        "document": document,
        "signed": bool(signed),
        "sop": DEFAULT_SLUG,
        "css": static("css/app.css"),
        "documents": Document.objects.count(),
        "running": Document.objects.filter(status=Document.Status.ACTIVE).count(),
        "entries": HistoryEntry.objects.count(),
    }
    print(json.dumps(info))


if __name__ == "__main__":
    main()
