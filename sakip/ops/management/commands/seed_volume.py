"""Fill a database with many documents quickly, as the workflow would have left them (for `make bench`)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sakip.ops.volume import volume_seed


class Command(BaseCommand):
    help = (
        "Add N documents in bulk: several SOPs and years, about 97 % finished with their full history, "
        "measurement and signature, the rest running at every step. Seeded titles start with '[volume] '. "
        "Refuses a database that holds other documents (real work) unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--documents", type=int, required=True, help="How many documents to add.")
        parser.add_argument(
            "--force", action="store_true", help="Add them even though the database holds real documents."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (default 1).")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity >= 2 or (verbosity >= 1 and (done == total or done % 10_000 == 0)):
                self.stdout.write(f"  {done} of {total} documents")

        try:
            report = volume_seed(
                documents=options["documents"], force=options["force"], seed=options["seed"], progress=progress
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.documents} documents ({report.finished} finished, {report.active} running) "
                f"with {report.entries} history entries in {report.seconds:.1f} s."
            )
        )
