"""Fill a place's directory with synthetic entries and a synthetic postcode file (demo, bench).

    manage.py generate_directory <place-slug> [--services 200] [--locations 100] [--seed 4]

Skips a place whose directory already has entries unless --force is given.
"""

from django.core.management.base import BaseCommand, CommandError

from commonweave.demo.directory import generate_directory
from commonweave.directory.models import Service
from commonweave.tenancy.models import Place


class Command(BaseCommand):
    help = "Generate a synthetic directory for a place."

    def add_arguments(self, parser):
        parser.add_argument("place")
        parser.add_argument("--services", type=int, default=200)
        parser.add_argument("--locations", type=int, default=None)
        parser.add_argument("--seed", type=int, default=4)
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, place, services, locations, seed, force, **options):
        place = Place.objects.filter(slug=place).first()
        if place is None:
            raise CommandError("No place with that slug")
        if Service.objects.filter(place=place).exists() and not force:
            self.stdout.write("The directory already has entries: nothing done (use --force).")
            return
        generate_directory(place, services=services, locations=locations, seed=seed)
        self.stdout.write(f"{services} entries generated")
