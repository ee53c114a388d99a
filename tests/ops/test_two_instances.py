"""Two gunicorn instances on one PostgreSQL database, as two servers behind one proxy would run.

Nothing lives in one process's memory: a session made on one instance is valid on the other, and the
same approval sent to both at once moves the document exactly once (tests/workflow/test_concurrency.py
is the same race inside one process).
"""

import json
import os
import threading

import psycopg
from django.utils import translation

from tests.ops.serving import (
    Browser,
    page_text,
    postgresql_database,
    prepare_instance,
    production_env,
    running_gunicorn,
)

DOCUMENTS = 5

# Documents at the SOP's first decision step, and the holder of that step who has not drafted them.
SET_UP = f"""
import json
from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=0)
call_command("load_default_sop", verbosity=0)
from sakip.performance.demo import create_demo_agreement
from sakip.sops.models import Sop
from tests.conftest import PASSWORD, advance, make_people, start_document

create_demo_agreement(2026)
sop = Sop.objects.get(slug="pengukuran-kinerja")
steps = sop.ordered_steps()
decision = next(step for step in steps if step.is_decision)
people = make_people(sop)
documents = []
for run in range({DOCUMENTS}):
    doc = start_document(sop=sop, title=f"PK {{run}}", year=2026, by=people[steps[0].actor.name])
    doc = advance(doc, people, until_step=decision.number)
    documents.append([doc.pk, doc.version])
print(json.dumps({{"documents": documents, "approver": people[decision.actor.name].username, "password": PASSWORD}}))
"""


def _messages(language: str) -> tuple[str, str]:
    with translation.override(language):
        return (
            # The approval at the default SOP's first decision (step 5), handed on to the signer.
            translation.gettext(
                "Approved and initialled (paraf) at step %(done)s; handed on to step %(number)s · %(actor)s."
            )
            % {"done": 5, "number": 6, "actor": "Sekretaris"},
            translation.gettext("This document has moved on since you opened it. Look at it again."),
        )


def test_it_lets_one_of_two_simultaneous_approvals_through_across_two_instances(tmp_path, tmp_path_factory):
    with postgresql_database(f"sakip_two_instances_{os.getpid()}") as database_url:
        # Two servers share the database, the media folder and the secret key, and nothing else.
        env = production_env(tmp_path, database_url)
        env, output = prepare_instance(tmp_path_factory, env, SET_UP)
        data = json.loads(output.strip().splitlines()[-1])

        with (
            running_gunicorn(env, tmp_path / "first.log") as first,
            running_gunicorn(env, tmp_path / "second.log") as second,
        ):
            on_first, on_second = Browser(first), Browser(second)
            on_first.log_in(data["approver"], data["password"])
            # The session lives in the database: the second instance knows it.
            assert Browser(second, jar=on_first.jar).get("/")[0] == 200
            on_second.log_in(data["approver"], data["password"])

            done, moved_on = _messages("id")
            for pk, version in data["documents"]:
                path = f"/dokumen/{pk}/"
                assert on_first.get(path)[0] == on_second.get(path)[0] == 200
                form = {"action": "approve", "version": str(version), "requirements_confirmed": "on", "note": "ok"}
                barrier = threading.Barrier(2)
                answers = {}

                def approve(browser, barrier=barrier, answers=answers, path=path, form=form):
                    barrier.wait(timeout=30)
                    answers[browser] = browser.post(f"{path}aksi/", form)

                threads = [threading.Thread(target=approve, args=(b,)) for b in (on_first, on_second)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=60)
                assert [answers[b][0] for b in (on_first, on_second)] == [302, 302], answers

                seen = [page_text(b.get(path)[2]) for b in (on_first, on_second)]
                outcomes = sorted("done" if done in page else "moved on" if moved_on in page else "?" for page in seen)
                assert outcomes == ["done", "moved on"], f"document {pk}: {outcomes}"

                with psycopg.connect(database_url) as db:
                    moved = db.execute("SELECT version FROM workflow_document WHERE id = %s", [pk]).fetchone()[0]
                    approvals = db.execute(
                        "SELECT COUNT(*) FROM workflow_historyentry WHERE document_id = %s AND action = 'approve'",
                        [pk],
                    ).fetchone()[0]
                assert (moved, approvals) == (version + 1, 1), f"document {pk}"
