"""Every page reads the database a fixed number of times, whether 5 or 500 documents exist.

The counts include the session and the user. A page over its count is a page that slows down as
the tables grow; a change that adds a query must say why here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import advance, make_people, start_document

pytestmark = pytest.mark.django_db

SEKRETARIS, KASUBBAG, ANGGOTA = "Sekretaris", "Kasubbag. Program dan Evaluasi", "Angg. Tim SAKIP"


@pytest.fixture(params=[5, 500], ids=["5-documents", "500-documents"])
def office(request, default_sop):
    people = make_people(default_sop)
    for i in range(request.param - 4):
        start_document(sop=default_sop, title=f"PK {i}", year=2026, by=people[SEKRETARIS])
    at_start = start_document(sop=default_sop, title="Baru", year=2026, by=people[SEKRETARIS])
    at_data = advance(start_document(sop=default_sop, title="Isi", year=2026, by=people[SEKRETARIS]), people, 3)
    at_review = advance(start_document(sop=default_sop, title="Tinjau", year=2026, by=people[SEKRETARIS]), people, 5)
    at_signature = advance(start_document(sop=default_sop, title="Tanda", year=2026, by=people[SEKRETARIS]), people, 6)
    return people, {"start": at_start, "data": at_data, "review": at_review, "sign": at_signature}


def queries(client, user, url: str) -> int:
    client.force_login(user)
    client.get(url)  # the first request fills the caches of what never changes (a revision's sheet)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


# (who, address, most queries)
PAGES = [
    (SEKRETARIS, "/", 6),  # session, user, waiting (roles as subqueries), took part, startable, unread
    (SEKRETARIS, "/dokumen/", 6),  # session, user, count, page, unread (+1 spare for a filter)
    (ANGGOTA, "/dokumen/?status=finished", 6),
    (SEKRETARIS, "/dokumen/{start}/", 10),
    (ANGGOTA, "/dokumen/{data}/", 10),
    # A reviewer also sees what the resubmission changed: the snapshots come with the timeline.
    (KASUBBAG, "/dokumen/{review}/", 10),
    # The signer also sees the signature as it will print: the profile comes with the user, the rows of the
    # measurement are read once for the panel and the approval's digest, the paraf is the approval's entry.
    (SEKRETARIS, "/dokumen/{sign}/", 10),
    (ANGGOTA, "/kinerja/dokumen/{data}/realisasi/", 10),
    (SEKRETARIS, "/dokumen/notifikasi/", 10),
    (SEKRETARIS, "/dokumen/baru/pengukuran-kinerja/", 10),
    (SEKRETARIS, "/sop/", 10),
    (SEKRETARIS, "/sop/pengukuran-kinerja/", 10),
    (SEKRETARIS, "/kinerja/", 10),
    (SEKRETARIS, "/kinerja/2026/", 10),
]


def test_every_page_reads_a_fixed_number_of_times(client, office):
    # One test per size, all pages in it: building 500 documents once, not once per page.
    people, documents = office
    counts = {}
    for who, url, most in PAGES:
        address = url.format(**{key: doc.pk for key, doc in documents.items()})
        counts[f"{who} {address}"] = (queries(client, people[who], address), most)
    over = {page: found for page, found in counts.items() if found[0] > found[1]}
    assert over == {}, f"pages over their count (found, most): {over}"
