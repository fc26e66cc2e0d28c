"""Set up a new place on a fresh deployment: the place, its lead organisation (which
receives public referrals) and its first place admin, who then invites everyone else."""

import getpass
import os
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from commonweave.accounts.models import User
from commonweave.tenancy.enums import OrganisationKind, Role
from commonweave.tenancy.models import Membership, Organisation, Place


class Command(BaseCommand):
    help = "Create a place with its lead organisation and first place admin."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", required=True, help="The place, e.g. 'Hartley Vale'")
        parser.add_argument("--slug", help="Short name for addresses (default: from --name)")
        parser.add_argument("--lead", required=True, help="Lead organisation's name")
        parser.add_argument(
            "--lead-kind", default=OrganisationKind.VCSE, choices=OrganisationKind.values
        )
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument(
            "--password-env",
            help="Read the admin's password from this environment variable instead of asking",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"] or slugify(options["name"])
        if Place.objects.filter(slug=slug).exists():
            raise CommandError(f"A place with slug '{slug}' already exists")
        email = options["admin_email"].strip().lower()
        user = User.objects.filter(email=email).first()
        password = None
        if user is None:
            password = self._password(options, User(email=email, name=options["admin_name"]))
        with transaction.atomic():
            place = Place.objects.create(name=options["name"], slug=slug)
            lead = Organisation.objects.create(
                place=place, name=options["lead"], kind=options["lead_kind"]
            )
            place.lead_organisation = lead
            place.save(update_fields=["lead_organisation"])
            if user is None:
                user = User.objects.create_user(email, password, name=options["admin_name"])
            for role in (Role.PLACE_ADMIN, Role.COORDINATOR):
                Membership.objects.create(user=user, organisation=lead, role=role)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {place.name} ({slug}) with lead organisation {lead.name}; "
                f"{email} is its place admin and coordinator."
            )
        )

    def _password(self, options: dict[str, Any], user: User) -> str:
        if options["password_env"]:
            password = os.environ.get(options["password_env"], "")
        else:
            password = getpass.getpass("Password for the place admin: ")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return password
