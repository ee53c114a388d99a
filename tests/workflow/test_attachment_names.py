"""Attachment file names: stored under a short, safe name; shown as the person named the file."""

import unicodedata
from pathlib import PurePosixPath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sakip.workflow.attachments import (
    DISPLAY_MAX_LENGTH,
    STORED_MAX_BYTES,
    STORED_MAX_LENGTH,
    display_name,
    stored_name,
)
from sakip.workflow.models import Attachment
from sakip.workflow.services import document_transition
from tests.conftest import a_pdf, make_people, start_document

PDF = b"%PDF-1.4\n% test attachment\n%%EOF\n"


def assert_safe_stored(name: str, extension: str = ".pdf") -> None:
    assert name.endswith(extension)
    assert len(name) <= STORED_MAX_LENGTH
    assert len(name.encode()) <= STORED_MAX_BYTES
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert all(unicodedata.category(c)[0] != "C" for c in name)
    assert unicodedata.is_normalized("NFC", name)


@pytest.mark.parametrize(
    "raw",
    [
        "é" * 200 + ".pdf",
        "e\u0301" * 200 + ".pdf",  # decomposed: NFC makes it "é"
        "😀" * 100 + ".pdf",  # four bytes each
        "a" * 300 + ".pdf",
        "../../etc/passwd.pdf",
        "..\\..\\windows\\system.pdf",
        "surat\x00\x1b\u202e.pdf",
        "  spasi   di  nama .pdf",
        "..pdf",
        "\u200b.pdf",
    ],
)
def test_it_makes_a_short_safe_stored_name_keeping_the_extension(raw):
    assert_safe_stored(stored_name(raw))


def test_it_keeps_what_it_can_of_the_name():
    assert stored_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert stored_name("..\\..\\windows\\system.pdf") == "system.pdf"
    assert stored_name("Surat Masuk 12.PDF") == "Surat_Masuk_12.pdf"
    assert stored_name("e\u0301" * 3 + ".pdf") == "ééé.pdf"
    assert stored_name("\u200b.pdf") == "lampiran.pdf"


def test_it_shows_the_name_as_given_normalised_and_shortened():
    assert display_name("e\u0301" * 200 + ".pdf") == "é" * 200 + ".pdf"
    assert display_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert display_name("surat\x00\n\u202emasuk.pdf") == "surat masuk.pdf"
    long = display_name("é" * 400 + ".docx")
    assert len(long) == DISPLAY_MAX_LENGTH and long.endswith(".docx")


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def document(default_sop, people):
    return start_document(sop=default_sop, title="Pengukuran Kinerja 2026", year=2026, by=people["Sekretaris"])


def complete_step_one(client, document, people, upload):
    client.force_login(people["Sekretaris"])
    return client.post(
        f"/dokumen/{document.pk}/aksi/",
        {
            "action": "complete",
            "version": document.version,
            "requirements_confirmed": "on",
            "note": "Disposisi",
            "files": upload,
        },
    )


@pytest.mark.django_db
def test_it_attaches_a_file_named_with_200_accented_letters_from_the_page(client, document, people):
    name = "é" * 200 + ".pdf"
    response = complete_step_one(client, document, people, SimpleUploadedFile(name, PDF))
    assert response.status_code == 302
    attachment = Attachment.objects.get(document=document, entry__action="complete")
    assert attachment.name == name
    stored = PurePosixPath(attachment.file.name)
    assert stored.parent == PurePosixPath(f"lampiran/{document.pk}")
    assert_safe_stored(stored.name)
    download = client.get(f"/dokumen/{document.pk}/lampiran/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_it_stores_a_file_named_with_a_path_inside_the_documents_folder(client, document, people):
    response = complete_step_one(client, document, people, SimpleUploadedFile("../../etc/passwd.pdf", PDF))
    assert response.status_code == 302
    attachment = Attachment.objects.get(document=document, entry__action="complete")
    assert attachment.name == "passwd.pdf"
    assert attachment.file.name == f"lampiran/{document.pk}/passwd.pdf"


@pytest.mark.django_db
def test_it_stores_two_long_names_that_shorten_alike_side_by_side(document, people):
    first, second = a_pdf("é" * 200 + "1.pdf"), a_pdf("é" * 200 + "2.pdf")
    document_transition(
        document=document,
        action="complete",
        by=people["Sekretaris"],
        requirements_confirmed=True,
        note="Disposisi",
        files=[first, second],
    )
    stored = [a.file.name for a in Attachment.objects.filter(document=document, entry__action="complete")]
    assert len(set(stored)) == 2
    for name in stored:
        assert len(PurePosixPath(name).name.encode()) <= 255  # the file system's limit, with Django's suffix
    assert sorted(a.name for a in Attachment.objects.filter(document=document, entry__action="complete")) == [
        "é" * 200 + "1.pdf",
        "é" * 200 + "2.pdf",
    ]
