"""The document list counts no further than it must: a bound past the page asked for, then "or more"."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sakip.lib.paging import MAX_PAGE, BoundedPaginator, page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    User.objects.bulk_create(User(username=f"u{i:03}") for i in range(60))
    return User.objects.order_by("username")


def test_a_count_within_the_bound_is_exact(users):
    page = page_of(users, "1", per_page=10, bound=100)
    assert page.paginator.count == 60
    assert not page.paginator.bounded
    assert page.paginator.num_pages == 6
    assert [u.username for u in page] == [f"u{i:03}" for i in range(10)]


def test_a_count_past_the_bound_stops_and_says_so(users):
    page = page_of(users, "1", per_page=10, bound=20)
    # The rows up to the end of page 1 and 20 more: 30 counted, more exist.
    assert page.paginator.count == 30
    assert page.paginator.bounded
    assert page.paginator.num_pages == 3
    assert page.has_next()


def test_counting_moves_on_with_the_page_asked_for(users):
    # Page 3 was the last one counted from page 1; asking for it counts 20 rows further.
    page = page_of(users, "3", per_page=10, bound=20)
    assert page[0].username == "u020"
    assert page.paginator.count == 50
    assert page.paginator.bounded
    last = page_of(users, "6", per_page=10, bound=20)
    assert last.paginator.count == 60
    assert not last.paginator.bounded
    assert not last.has_next()


@pytest.mark.parametrize("number", ["", "x", "-3", "0", None, "1e9", "9" * 40])
def test_a_page_number_that_is_not_one_gives_a_page(users, number):
    page = page_of(users, number, per_page=10, bound=20)
    assert page.number >= 1
    assert len(page) == 10


def test_a_page_past_the_end_is_the_last_page(users):
    page = page_of(users, str(MAX_PAGE * 10), per_page=10, bound=20)
    assert page.number == 6
    assert [u.username for u in page][-1] == "u059"


def test_the_database_stops_reading_at_the_limit(users):
    paginator = BoundedPaginator(users, 10, number=1, bound=20)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 30
    (query,) = captured.captured_queries
    assert "LIMIT 31" in query["sql"].upper()


def test_the_list_says_or_more_when_the_count_stopped(client, default_sop, settings, monkeypatch):
    from sakip.lib import paging
    from tests.conftest import make_people, start_document

    monkeypatch.setattr(paging, "COUNT_BOUND", 25)
    people = make_people(default_sop)
    sekretaris = people["Sekretaris"]
    for i in range(60):
        start_document(sop=default_sop, title=f"PK {i}", year=2026, by=sekretaris)
    client.force_login(sekretaris)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/dokumen/").content.decode()
    assert "Page 1 of 2 or more" in page
    last = client.get("/dokumen/?page=3").content.decode()
    assert "Page 3 of 3" in last
    assert "or more" not in last
