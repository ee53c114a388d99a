"""The demo data `make run` loads: an account per actor, an administrator, a demo agreement; once only."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from sakip.accounts.demo import DEMO_ACCOUNTS
from sakip.accounts.nip import validate_nip
from sakip.performance.models import Agreement, Indicator
from sakip.sops.models import Sop


@pytest.mark.django_db
def test_it_creates_the_demo_accounts_and_agreement_once(default_sop):
    call_command("seed_demo")
    counts = (User.objects.count(), Agreement.objects.count(), Indicator.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Agreement.objects.count(), Indicator.objects.count()) == counts
    assert set(User.objects.values_list("username", flat=True)) >= {a.username for a in DEMO_ACCOUNTS}
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
def test_it_gives_every_actor_of_the_default_sop_a_demo_account(default_sop):
    call_command("seed_demo")
    for actor in Sop.objects.get(slug="pengukuran-kinerja").actors.all():
        holders = actor.group.user_set.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
        assert holders.exists(), actor.name
    validate_nip(User.objects.get(username="sekretaris").profile.nip)  # the demo Sekretaris can sign
