"""The NIP check: 18 ASCII digits carrying a real birth date and appointment month; bad input is a message."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from sakip.accounts.models import Profile
from sakip.accounts.nip import validate_nip

VALID = "197001011995031001"


def test_it_accepts_a_real_nip_written_in_groups():
    validate_nip("19700101 199503 1 001")


@pytest.mark.parametrize(
    ("nip", "code"),
    [
        ("197001010000011001", "appointment"),  # appointed in the year 0000
        ("197001010000001001", "appointment"),  # year 0000, month 00
        ("000001011995031001", "birth_date"),  # born in the year 0000
        ("197001019999121001", "appointment"),  # appointed in the far future
        ("197001011995131001", "appointment"),  # month 13
        ("197001011995033001", "gender"),
        ("١٩٧٠٠١٠١١٩٩٥٠٣١٠٠١", "length"),  # Arabic-Indic digits
        ("１９７００１０１１９９５０３１００１", "length"),  # full-width digits
        ("19700101199503100²", "length"),  # a superscript two is a "digit" to str.isdigit
        ("1970010119950310011", "length"),
        ("", "length"),
    ],
)
def test_it_refuses_a_bad_nip_with_a_message(nip, code):
    with pytest.raises(ValidationError) as refused:
        validate_nip(nip)
    assert refused.value.code == code


def admin_add_person(client, nip: str):
    return client.post(
        "/admin/auth/user/add/",
        {
            "username": "pegawai-baru",
            "usable_password": "true",
            "password1": "sandi-yang-panjang-sekali",
            "password2": "sandi-yang-panjang-sekali",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-nip": nip,
            "profile-0-jabatan": "Analis",
            "profile-0-pangkat": "",
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize("nip", ["197001010000011001", "١٩٧٠٠١٠١١٩٩٥٠٣١٠٠١", "19700101199503100²"])
def test_it_refuses_a_bad_nip_in_the_admin_at_the_field(admin_client_, nip):
    response = admin_add_person(admin_client_, nip)
    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.forms[0].errors["nip"]
    assert not User.objects.filter(username="pegawai-baru").exists()


@pytest.mark.django_db
def test_it_saves_a_good_nip_from_the_admin(admin_client_):
    response = admin_add_person(admin_client_, VALID)
    assert response.status_code == 302
    assert Profile.objects.get(user__username="pegawai-baru").nip == VALID
