"""`python -m commonweave demo` / `manage.py demo`: generate the demo place and print logins."""

import sys

from django.core.management.base import BaseCommand, CommandError

from commonweave.demo import phrases
from commonweave.demo.generator import DEMO_PASSWORD, generate_demo, place_logins
from commonweave.tenancy.models import Place

URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Generate a realistic synthetic demo place (organisations, staff in every role, "
        "residents with whole journeys) and print the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents", type=int, default=300, help="How many residents (10 to 1,000,000)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same demo.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only generate when no place exists yet; otherwise print the logins again.",
        )
        parser.add_argument("--place-slug", default=phrases.PLACE_SLUG)
        parser.add_argument("--place-name", default=phrases.PLACE_NAME)
        parser.add_argument("--url", default=URL, help="Where the demo is served (printed).")

    def handle(self, *args, residents, seed, if_empty, place_slug, place_name, url, **options):
        self.url = url
        if not 0 <= residents <= 1_000_000:
            raise CommandError("--residents must be between 0 and 1,000,000")
        if if_empty and Place.objects.exists():
            place = Place.objects.filter(slug=place_slug).first()
            if place is None:
                self.stdout.write("Places already exist, so no demo place was generated.")
                return
            logins, more = place_logins(place)
            self.stdout.write(f"The demo place {place.name} already exists.")
            self._print_logins(logins, more)
            self.stdout.write(
                "API tokens were shown when the demo was generated; "
                "a place admin can issue new ones."
            )
            return
        if Place.objects.filter(slug=place_slug).exists():
            raise CommandError(
                f"A place with the slug {place_slug!r} already exists. Use --place-slug to make "
                "another demo place, or --if-empty to print its logins."
            )
        self.stdout.write(
            f"Generating the demo place {place_name} with {residents:,} residents (seed {seed})..."
        )
        report = generate_demo(
            residents=residents,
            seed=seed,
            slug=place_slug,
            name=place_name,
            stream=getattr(self.stderr, "_out", sys.stderr),
        )
        counts = ", ".join(f"{n:,} {label}" for label, n in report.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Done in {report.seconds:.1f}s: {counts}."))
        self._other_apps(report.place, residents, seed)
        self._print_logins(report.logins, report.more_logins)
        if report.tokens:
            self.stdout.write("\nAPI tokens (shown once; only a hash is stored):")
            for org, name, role, raw in report.tokens:
                self.stdout.write(f"  {org} - {name} ({role}):\n    {raw}")

    def _other_apps(self, place, residents, seed):
        """The directory, wellbeing over time, Connecting the Dots, partners' referrals and
        the network analysed (commonweave.demo.partnership)."""
        from commonweave.demo.partnership import generate_partnership

        generate_partnership(place, residents=residents, seed=seed, say=self.stdout.write)

    def _print_logins(self, logins, more):
        self.stdout.write(
            f"\nOpen {self.url} and sign in as any of these "
            f"(password for all: {DEMO_PASSWORD!r}):\n"
        )
        rows = [("Email", "Password", "Role", "Organisation")] + [
            (login.email, login.password, login.role, login.organisation) for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for n, row in enumerate(rows):
            self.stdout.write(
                "  "
                + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        if more:
            self.stdout.write(f"  ... and {more} more staff with the same password.")
