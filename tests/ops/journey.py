"""A real office's work in a database of its own, run as a script by the backup tests (python -m tests.ops.journey).

Run in a subprocess with DATABASE_URL and MEDIA_ROOT of a fresh SQLite instance, so that the backup tests work
on SQLite whatever database the rest of the suite uses. Prints what it made as JSON.
"""

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sakip.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from sakip.performance.demo import create_demo_agreement
    from sakip.sops.management.commands.load_default_sop import grant_default_permissions, load_default_sop
    from sakip.workflow.models import Attachment, Signature
    from sakip.workflow.services import document_cancel, document_transition
    from tests.conftest import a_pdf, advance, make_people, start_document

    # What the default_sop fixture does, outside pytest.
    for year in (2025, 2026):
        create_demo_agreement(year)
    grant_default_permissions()
    sop = load_default_sop()
    people = make_people(sop)

    # Signed and finished, with papers added on the way (one with a name that is not plain ASCII).
    signed = start_document(sop=sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    photo = SimpleUploadedFile("foto rapat – evaluasi.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    signed = document_transition(
        document=advance(signed, people, 2),
        action="complete",
        by=people["Sek. Tim SAKIP"],
        requirements_confirmed=True,
        note="disposisi terlampir",
        files=[a_pdf("disposisi.pdf"), photo],
    )
    signed = advance(signed, people, 6)
    signed = document_transition(
        document=signed, action="approve", by=people["Sekretaris"], requirements_confirmed=True
    )
    signed = document_transition(
        document=signed,
        action="finish",
        by=people["Kasubbag. Program dan Evaluasi"],
        requirements_confirmed=True,
        note="selesai",
    )
    # Under way at a content step, and cancelled.
    advance(
        start_document(sop=sop, title="Pengukuran Kinerja Tahun 2025", year=2025, by=people["Sekretaris"]), people, 4
    )
    cancelled = start_document(sop=sop, title="Salah ketik", year=2026, by=people["Sekretaris"])
    document_cancel(document=cancelled, by=people["Sekretaris"], reason="dobel")

    signature = Signature.objects.get(document=signed)
    print(
        json.dumps(
            {
                "signed_pdf": signature.pdf.name,
                "signed_sha256": signature.sha256,
                "attachments": sorted(Attachment.objects.values_list("file", flat=True)),
            }
        )
    )


if __name__ == "__main__":
    main()
