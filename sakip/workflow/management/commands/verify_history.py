"""Check every document's history chain and the append-only guard; name the first broken link of each chain."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sakip.workflow import records
from sakip.workflow.history import chain_breaks


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of every document's history. Prints OK with the number of documents and "
        "entries, or, for each document whose chain is broken, its first broken link, and exits non-zero. "
        "Also fails when the database no longer refuses UPDATE and DELETE on the history."
    )

    def handle(self, *args, **options):
        documents = entries = 0
        broken = []
        for _document_id, count, first_break in chain_breaks():
            documents += 1
            entries += count
            if first_break is not None:
                broken.append(first_break)
        for b in broken:
            if b.entry_id is None:
                self.stderr.write(f"document {b.document_id}: no history entries (its start entry is gone)")
            else:
                self.stderr.write(
                    f"document {b.document_id}, entry {b.entry_id}: {b.problem} "
                    f"(expected {b.expected or '(empty)'}, found {b.found or '(empty)'})"
                )
        unguarded = records.missing(connection)
        for table in unguarded:
            self.stderr.write(f"table {table}: the append-only guard (UPDATE/DELETE trigger) is missing")
        if broken or unguarded:
            raise CommandError(
                f"History NOT intact: {len(broken)} of {documents} documents with a broken chain, "
                f"{len(unguarded)} unguarded tables."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {_count(documents, 'document')}, {_count(entries, 'history entry', 'history entries')}, "
                "every chain intact."
            )
        )


def _count(number: int, singular: str, plural: str = "") -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
