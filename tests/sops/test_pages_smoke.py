import pytest


@pytest.mark.django_db
def test_it_shows_the_sheet(staff_client, default_sop):
    r = staff_client.get("/sop/pengukuran-kinerja/")
    assert r.status_code == 200
    assert "Angota Tim merumuskan draf dokumen kinerja" in r.text
