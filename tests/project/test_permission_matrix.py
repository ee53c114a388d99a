"""Every URL of the project × every kind of person → the expected status.

A URL added to the project without a row here fails test_it_covers_every_url.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import a_pdf, make_user, start_document

ANON, SEK, KASUBBAG, SEKTIM, ANGGOTA, ADMIN, OUTSIDER = (
    "anonymous",
    "Sekretaris",
    "Kasubbag. Program dan Evaluasi",
    "Sek. Tim SAKIP",
    "Angg. Tim SAKIP",
    "administrator",
    "unrelated staff",
)
PEOPLE = (ANON, SEK, KASUBBAG, SEKTIM, ANGGOTA, ADMIN, OUTSIDER)
LOGIN = 302  # anonymous people are sent to the login page


def everyone(status, anonymous=LOGIN):
    return {person: (anonymous if person == ANON else status) for person in PEOPLE}


def roles(default, anonymous=LOGIN, **by_person):
    result = everyone(default, anonymous)
    result.update({globals()[key]: value for key, value in by_person.items()})
    return result


COMPLETE = {"action": "complete", "version": "0", "requirements_confirmed": "on", "note": "Disposisi"}

# name → (method, path with {doc}/{att}, data, expected status per person)
MATRIX = {
    "home": ("get", "/", None, everyone(200)),
    "login": ("get", "/akun/masuk/", None, everyone(302, anonymous=200)),
    "logout": ("post", "/akun/keluar/", {}, everyone(302)),
    "profile": ("get", "/akun/", None, everyone(200)),
    "password_change": ("get", "/akun/kata-sandi/", None, everyone(200)),
    "set_language": ("post", "/i18n/setlang/", {"language": "en", "next": "/"}, everyone(302, anonymous=302)),
    "sops:list": ("get", "/sop/", None, everyone(200)),
    "sops:sheet": ("get", "/sop/pengukuran-kinerja/", None, everyone(200)),
    "sops:sheet_revision": ("get", "/sop/pengukuran-kinerja/revisi/1/", None, everyone(200)),
    "sops:sheet_pdf": ("get", "/sop/pengukuran-kinerja/pdf/", None, everyone(200)),
    "sops:sheet_revision_pdf": ("get", "/sop/pengukuran-kinerja/revisi/1/pdf/", None, everyone(200)),
    "workflow:list": ("get", "/dokumen/", None, everyone(200)),
    # The register shows each person the documents they may see; the preview only to who may sign now (none here).
    "workflow:register_current": ("get", "/dokumen/register/", None, everyone(302)),
    "workflow:register": ("get", "/dokumen/register/2026/", None, everyone(200)),
    "workflow:register_xlsx": ("get", "/dokumen/register/2026/xlsx/", None, everyone(200)),
    "workflow:preview": ("get", "/dokumen/{doc}/pratinjau/", None, roles(404)),
    "workflow:notifications": ("get", "/dokumen/notifikasi/", None, everyone(200)),
    # Only one's own notification opens (tests/workflow/test_notifications.py); nobody's is a 404.
    "workflow:notification_open": ("post", "/dokumen/notifikasi/999999/", {}, everyone(404)),
    "workflow:new": ("get", "/dokumen/baru/pengukuran-kinerja/", None, roles(403, SEK=200)),
    "workflow:document": ("get", "/dokumen/{doc}/", None, roles(200, OUTSIDER=404)),
    "workflow:act": ("post", "/dokumen/{doc}/aksi/", COMPLETE, roles(403, SEK=302, OUTSIDER=404)),
    "workflow:cancel": (
        "post",
        "/dokumen/{doc}/batal/",
        {"version": "0", "reason": "dobel"},
        roles(403, SEK=302, ADMIN=302, OUTSIDER=404),
    ),
    "workflow:attachment": ("get", "/dokumen/{doc}/lampiran/{att}/", None, roles(200, OUTSIDER=404)),
    "performance:agreements": ("get", "/kinerja/", None, everyone(200)),
    "performance:agreement": ("get", "/kinerja/2026/", None, everyone(200)),
    # Changing the agreement: the Kasubbag's role holds the permission, and the administrator.
    "performance:agreement_create": ("get", "/kinerja/baru/", None, roles(403, KASUBBAG=200, ADMIN=200)),
    "performance:agreement_edit": ("get", "/kinerja/2026/ubah/", None, roles(403, KASUBBAG=200, ADMIN=200)),
    "performance:objective_create": (
        "get",
        "/kinerja/2026/sasaran/baru/",
        None,
        roles(403, KASUBBAG=200, ADMIN=200),
    ),
    "performance:objective_edit": ("get", "/kinerja/2026/sasaran/{obj}/", None, roles(403, KASUBBAG=200, ADMIN=200)),
    "performance:objective_delete": (
        "post",
        "/kinerja/2026/sasaran/{obj}/hapus/",
        {},
        roles(403, KASUBBAG=302, ADMIN=302),
    ),
    # The document is at its first step, which is no content step: nobody may change the realisation.
    "performance:realisation": ("get", "/kinerja/dokumen/{doc}/realisasi/", None, roles(403, OUTSIDER=404)),
    "performance:take_changes": (
        "post",
        "/kinerja/dokumen/{doc}/ambil-perubahan/",
        {"version": "0"},
        roles(403, OUTSIDER=404),
    ),
    "performance:template": ("get", "/kinerja/dokumen/{doc}/templat.xlsx", None, roles(403, OUTSIDER=404)),
    "performance:upload": ("post", "/kinerja/dokumen/{doc}/unggah/", {}, roles(403, OUTSIDER=404)),
    "performance:export": ("get", "/kinerja/dokumen/{doc}/pengukuran.xlsx", None, roles(200, OUTSIDER=404)),
    # Before signing: a draft made on the spot, for everyone who may see the document.
    "performance:pdf": ("get", "/kinerja/dokumen/{doc}/pengukuran.pdf", None, roles(200, OUTSIDER=404)),
    # Public: a QR code on paper opens it. An unknown token is a plain 404 for everyone.
    "verify": ("get", "/verifikasi/tidak-ada/", None, everyone(404, anonymous=404)),
    "verify_lookup": ("get", "/verifikasi/", None, everyone(200, anonymous=200)),
    # For the monitoring and the reverse proxy: no login.
    "ops:healthz": ("get", "/healthz", None, everyone(200, anonymous=200)),
}


def project_url_names(patterns=None, namespace=""):
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: staff only, tested in tests/accounts and tests/sops
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= project_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_it_covers_every_url():
    assert project_url_names() == set(MATRIX)


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_it_answers_each_person_as_expected(client, default_sop, name, person):
    method, path, data, expected = MATRIX[name]
    starter = make_user("starter", SEK)
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=starter, files=[a_pdf()])
    objective = doc.measurement.agreement.objectives.first()
    path = path.format(doc=doc.pk, att=doc.attachments.get().pk, obj=objective.pk)
    if person == ADMIN:
        client.force_login(make_user("root", is_staff=True, is_superuser=True))
    elif person == OUTSIDER:
        client.force_login(make_user("outsider"))
    elif person != ANON:
        group = default_sop.actors.get(name=person).group.name
        client.force_login(make_user("holder", group))
    if data and "requirements_confirmed" in data:
        data = {**data, "files": a_pdf("disposisi.pdf")}
    response = getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
    assert response.status_code == expected[person], f"{method.upper()} {path} as {person}"
