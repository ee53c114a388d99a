"""Every page a person can reach by following links answers without a server error, in both languages."""

import re
from urllib.parse import urljoin, urlparse

import pytest

from tests.conftest import advance, make_people, make_user, start_document

LINK = re.compile(r'href="([^"#]+)"')
SKIP = ("/static/", "/media/", "/akun/keluar/", "/i18n/")


def crawl(client, start: str, limit: int) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.get("Content-Type", "").startswith("text/html"):
            for href in LINK.findall(response.content.decode()):
                target = urljoin(url, href.replace("&amp;", "&"))
                parsed = urlparse(target)
                if parsed.netloc or parsed.path.startswith(SKIP) or "/delete/" in parsed.path:
                    continue
                queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_it_never_answers_a_server_error_along_the_links(client, default_sop, language, settings):
    people = make_people(default_sop)
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    advance(doc, people, 5)
    start_document(sop=default_sop, title="PK 2025", year=2025, by=people["Sekretaris"])
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for person in [*people.values(), admin]:
        client.force_login(person)
        limit = 160 if person.is_superuser else 60
        statuses = crawl(client, "/", limit)
        errors = {url: status for url, status in statuses.items() if status >= 500}
        assert errors == {}, f"{person.username}: {errors}"
        assert len(statuses) > 10
