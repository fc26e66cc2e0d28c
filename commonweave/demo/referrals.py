"""Referrals through Commonweave to partners' services, for the demo place.

The directory generator lists services that take referrals; here the ones run by partner
organisations of the place (the council, the practices, the housing association, the Men's
Shed, the community centre) are set to receive them through Commonweave, so a catalyst
sees "Send a referral" on the connect page. Then catalysts send some, with the resident's
consent to share, and the receiving partner workers accept most and decline one, leaving
the newest waiting: each through the directory app's referral services, so consent events,
connections, follow-ups and audit events are the real ones.

There is no service for choosing which organisation receives a service's referrals (a
directory import sets it), so that is written through the model here.
"""

import random

from django.db.models import Q

from commonweave.directory.enums import ServiceStatus
from commonweave.directory.models import Service
from commonweave.directory.referrals import referral_decide, referral_send
from commonweave.people.enums import ConsentMethod, Stage
from commonweave.people.models import Resident
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership
from commonweave.tenancy.viewer import viewer_for_user

REASONS = (
    "Would like company and something to do on weekday afternoons.",
    "Worried about money since her hours were cut; agreed to advice.",
    "Struggling with the flat and keen to get help to stay put.",
    "Wants to get out of the house and use his hands again.",
    "Low since his wife died; a group would give the week a shape.",
    "Asked for help with forms and bills.",
)
PER_SERVICE = 3  # referrals sent to each receiving service


def _receivers(place):
    """Partner organisations of the place by the name their services appear under in the
    directory, and the words that mark a service of theirs."""
    orgs = list(place.organisations.exclude(pk=place.lead_organisation_id).order_by("pk"))
    rules = []
    for org in orgs:
        if "Men's Shed" in org.name:
            rules.append((org, Q(name__icontains="Men's Shed")))
        elif "Community Centre" in org.name:
            rules.append((org, Q(name__icontains=org.name.split(" Community")[0])))
        else:
            rules.append((org, Q(organization__name=org.name)))
    return rules


def _workers(place):
    """The partner worker (or caseworker) who answers for each organisation."""
    memberships = (
        Membership.objects.filter(organisation__place=place)
        .select_related("user")
        .order_by("role", "pk")
    )
    workers = {}
    for m in memberships:
        if m.role in (Role.PARTNER_WORKER, Role.COORDINATOR, Role.CATALYST):
            workers.setdefault(m.organisation_id, m.user)
    return workers


def generate_service_referrals(place, *, seed=1, services=4) -> dict:
    """Make up to `services` partners' services take referrals, send some, answer most.
    Returns counts."""
    rng = random.Random(f"{seed}:service-referrals")
    chosen: list = []
    for org, rule in _receivers(place):
        service = (
            Service.objects.filter(rule, place=place, status=ServiceStatus.ACTIVE)
            .order_by("-takes_referrals", "name")
            .first()
        )
        if service is not None and service not in [s for s, _ in chosen]:
            chosen.append((service, org))
        if len(chosen) == services:
            break
    for service, org in chosen:
        Service.objects.filter(pk=service.pk).update(
            takes_referrals=True, referral_organisation=org, referral_places=rng.choice((None, 8))
        )
    lead = place.lead_organisation
    residents = list(
        Resident.objects.filter(
            place=place,
            organisation=lead,
            merged_into__isnull=True,
            stage__in=(Stage.ENGAGED, Stage.CONNECTING),
            catalyst__isnull=False,
        )
        .select_related("catalyst", "place")
        .order_by("pk")
    )
    rng.shuffle(residents)
    workers = _workers(place)
    sent = accepted = declined = 0
    for service, org in chosen:
        service.refresh_from_db()
        for n in range(PER_SERVICE):
            if not residents:
                break
            resident = residents.pop()
            viewer = viewer_for_user(resident.catalyst, place)
            referral = referral_send(
                viewer=viewer,
                resident=resident,
                service=service,
                reason=rng.choice(REASONS),
                consent_given=True,
                consent_method=ConsentMethod.VERBAL,
            )
            sent += 1
            worker = workers.get(org.pk)
            if n == PER_SERVICE - 1 or worker is None:
                continue  # the newest is still waiting for an answer
            accept = not (n == 1 and declined == 0)
            referral_decide(
                viewer=viewer_for_user(worker, place),
                referral=referral,
                accept=accept,
                note="" if accept else "The group is full until September; please try again then.",
            )
            accepted += accept
            declined += not accept
    return {"services": len(chosen), "sent": sent, "accepted": accepted, "declined": declined}
