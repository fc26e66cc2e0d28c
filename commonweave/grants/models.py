"""One ledger for the partnership's money (issue 17, docs/grants.md).

A `Fund` is a pot with its rules; an `Award` gives some of it to exactly one recipient —
a resident, an organisation or group, or a neighbour's mutual-aid need; `Approval` rows
are the decision; `LedgerEntry` rows are the money itself: money in, payments, and
reversals. Balances are always summed from the ledger, never stored. Nothing here is ever
deleted (the models and their querysets refuse): a mistake is put right by a reversal.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweave.core.publicid import PublicIdField

from .enums import (
    AidMoney,
    ApplicationChannel,
    AwardStatus,
    BallotChannel,
    Decision,
    DecisionKind,
    Eligibility,
    EntryKind,
    PaymentMethod,
    RecipientKind,
    ResultStatus,
    RoundState,
    UpdateSource,
)

PENNY = Decimal("0.01")


class NeverDeleted(Exception):
    """Ledger rows are kept for ever: put a mistake right with a reversal."""


class KeptQuerySet(models.QuerySet):
    def delete(self):
        raise NeverDeleted(f"{self.model.__name__} rows are never deleted")


class Kept(models.Model):
    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise NeverDeleted(f"{type(self).__name__} rows are never deleted")


class Fund(Kept):
    """A pot of money with its rules. Its pot, spend and balance come from the ledger."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    # Whose coordinators and place admins run it and approve its awards.
    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("Name"), max_length=160)
    programme = models.CharField(_("Programme"), max_length=160, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    # The funders' names, in order, as they wish to be credited.
    funders = models.JSONField(default=list, blank=True)
    open_call = models.BooleanField(
        _("Open call"), default=False, help_text=_("Anyone may apply, not only on referral")
    )
    # At or above this amount, an award needs two different approvers; below, one.
    approval_threshold = models.DecimalField(
        _("Two approvers from"), max_digits=12, decimal_places=2, default=Decimal("100.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    personal = models.BooleanField(_("Personal grants to residents"), default=True)
    community = models.BooleanField(_("Community grants to groups"), default=False)
    mutual_aid = models.BooleanField(_("Mutual-aid costs"), default=False)
    starts_on = models.DateField(_("From"), null=True, blank=True)
    ends_on = models.DateField(_("Until"), null=True, blank=True)
    closed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Award(Kept):
    """Money from a fund for exactly one recipient, from request to decision. Payments are
    ledger entries against it."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="awards")
    recipient_kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A community grant: to a partner organisation, or to a group by name and number.
    organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group_name = models.CharField(_("Group's name"), max_length=200, blank=True)
    charity_number = models.CharField(_("Charity number"), max_length=20, blank=True)
    company_number = models.CharField(_("Company number"), max_length=20, blank=True)
    aid_request = models.ForeignKey(
        "mutualaid.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    aid_money = models.CharField(max_length=20, choices=AidMoney.choices, blank=True)

    title = models.CharField(_("What it is for"), max_length=200)
    why = models.TextField(_("Why it matters"), blank=True)
    goal = models.ForeignKey(
        "people.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supplier = models.CharField(_("Supplier"), max_length=200, blank=True)
    # 360Giving codelists: grantToIndividualsPurpose (GTIP…) and …Reason (GTIR…).
    purpose_code = models.CharField(_("Purpose"), max_length=10, blank=True)
    reason_code = models.CharField(_("Reason"), max_length=10, blank=True)
    amount_requested = models.DecimalField(
        _("Amount asked for"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(PENNY)],
    )
    amount_awarded = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=AwardStatus.choices, default=AwardStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # What it made possible, in the resident's own words, kept only with their consent to
    # share it as a story.
    made_possible = models.TextField(blank=True)
    made_possible_shareable = models.BooleanField(default=False)
    told_at = models.DateTimeField(null=True, blank=True)
    # Kept up to date by grants.services as payments and reversals are recorded, so the
    # dashboard groups 100,000 awards without reading their ledgers: the first payment
    # not reversed, and the days from the day asked (on the place's clock) to it.
    first_paid_on = models.DateField(null=True, blank=True)
    days_to_payment = models.PositiveIntegerField(null=True, blank=True)
    # Where the resident lived when it was asked for: their ward's name, or "" if it
    # could not be found (grants.places). What the dashboard groups by.
    ward = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # what waits, oldest first
            models.Index(fields=["fund", "status", "requested_at"]),
            # a fund's approved total, read from the index alone
            models.Index(fields=["fund", "status", "amount_awarded"]),
            models.Index(fields=["place", "requested_at"]),
            models.Index(fields=["place", "days_to_payment"]),
        ]
        constraints = [
            # Exactly one recipient, of the kind it says.
            models.CheckConstraint(
                name="award_one_recipient",
                condition=(
                    Q(
                        recipient_kind=RecipientKind.RESIDENT,
                        resident__isnull=False,
                        organisation__isnull=True,
                        group_name="",
                        aid_request__isnull=True,
                    )
                    | Q(
                        Q(organisation__isnull=False) | ~Q(group_name=""),
                        recipient_kind=RecipientKind.ORGANISATION,
                        resident__isnull=True,
                        aid_request__isnull=True,
                    )
                    | Q(
                        recipient_kind=RecipientKind.AID_REQUEST,
                        aid_request__isnull=False,
                        resident__isnull=True,
                        organisation__isnull=True,
                        group_name="",
                    )
                ),
            ),
            models.CheckConstraint(
                name="award_amount_awarded_positive",
                condition=Q(amount_awarded__isnull=True) | Q(amount_awarded__gt=0),
            ),
        ]

    def __str__(self):
        return self.title


class Approval(Kept):
    """One approver's decision on an award. Two different people above the threshold."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # On what evidence: what they saw or were told.
    evidence = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "approver"], name="approval_one_each")
        ]

    def __str__(self):
        return f"{self.get_decision_display()} ({self.at:%Y-%m-%d})"


class Receipt(Kept):
    """A receipt or invoice kept with a payment: in the database, served only through the
    award's own access rules (never a public file address)."""

    public_id = PublicIdField()
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name


class LedgerEntry(Kept):
    """A line of the ledger. `amount` is always positive; its kind says which way it goes
    (`effect`). A reversal names the line it reverses, and a line is reversed at most once."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(PENNY)]
    )
    award = models.ForeignKey(
        Award, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    # Money in: who from. A payment: how, and its receipt.
    source = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices, blank=True)
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name_plural = "ledger entries"
        # totals by kind; the ledger page, newest first
        indexes = [
            models.Index(fields=["fund", "kind"]),
            models.Index(fields=["fund", "recorded_at"]),
        ]
        constraints = [
            models.CheckConstraint(name="entry_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="entry_payment_has_award",
                condition=~Q(kind=EntryKind.PAYMENT) | Q(award__isnull=False),
            ),
            models.CheckConstraint(
                name="entry_reversal_names_its_line",
                condition=Q(kind=EntryKind.REVERSAL, reverses__isnull=False)
                | Q(~Q(kind=EntryKind.REVERSAL), reverses__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} £{self.amount}"

    @property
    def effect(self) -> Decimal:
        """What the line does to the fund's balance: money in adds, a payment takes away,
        a reversal undoes the line it names."""
        if self.kind == EntryKind.FUNDING:
            return self.amount
        if self.kind == EntryKind.PAYMENT:
            return -self.amount
        return -self.reverses.effect if self.reverses is not None else Decimal("0")


# --- participatory rounds (issue 17, part 3; rounds.py) -------------------------------------

DEFAULT_RUBRIC = ["Need", "Difference it makes", "Value for money"]


def _default_rubric():
    return list(DEFAULT_RUBRIC)


class Round(Kept):
    """A participatory grant-making round on a fund: an open call, screening, a panel's
    scores, a public vote counted by `voting.count`, and a decision with its public log."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("Name"), max_length=160)
    opens_on = models.DateField(_("Opens on"), null=True, blank=True)
    closes_on = models.DateField(_("Closes on"), null=True, blank=True)
    budget = models.DecimalField(
        _("Budget"), max_digits=12, decimal_places=2, validators=[MinValueValidator(PENNY)]
    )
    rule = models.CharField(_("Counting rule"), max_length=40)
    # k-of-n: the most projects a voter may tick; points: how many points each voter has.
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    points = models.PositiveSmallIntegerField(null=True, blank=True)
    rubric = models.JSONField(default=_default_rubric)
    vote_open = models.BooleanField(_("Public vote"), default=True)
    anonymise_applicants = models.BooleanField(_("Anonymise applicants"), default=False)
    state = models.CharField(
        max_length=12, choices=RoundState.choices, default=RoundState.OPEN_CALL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name


class Application(Kept):
    """One application to a round. Its contact details are for the runners only: never on
    the public log. `ref` (P001, P002, …) is its reference on the ballot paper."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    number = models.PositiveIntegerField()
    group_name = models.CharField(_("Group's name"), max_length=200)
    contact_name = models.CharField(_("Contact name"), max_length=200)
    contact_email = models.EmailField(_("Contact email"), max_length=254, blank=True)
    title = models.CharField(_("Project title"), max_length=200)
    what_for = models.TextField(_("What the money is for"))
    amount = models.DecimalField(
        _("Amount asked for"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(PENNY)],
    )
    channel = models.CharField(max_length=14, choices=ApplicationChannel.choices)
    eligibility = models.CharField(
        max_length=14, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    eligibility_reason = models.CharField(max_length=300, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    # A winner's community grant, once the round's money is asked for (winners.py).
    award = models.OneToOneField(
        "Award", null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="application_number_once")
        ]

    def __str__(self):
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"P{self.number:03d}"


class Panellist(Kept):
    """A member of a round's panel: a signed-in worker, or a resident panellist by name
    (and, where they have a record, that record). Paid time at `hourly_rate`, if any."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="panellists")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("Name"), max_length=200)
    hourly_rate = models.DecimalField(
        _("Paid per hour"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"],
                name="panellist_user_once",
                condition=Q(user__isnull=False),
            )
        ]

    def __str__(self):
        return self.name


class Conflict(Kept):
    """A panellist's declared conflict of interest: they cannot score that application."""

    panellist = models.ForeignKey(Panellist, on_delete=models.PROTECT, related_name="conflicts")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("Why"), max_length=300)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panellist", "application"], name="conflict_once")
        ]

    def __str__(self):
        return self.reason


class Score(Kept):
    """A panellist's marks for one application: 0–5 for each criterion of the rubric."""

    panellist = models.ForeignKey(Panellist, on_delete=models.PROTECT, related_name="scores")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="scores")
    marks = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panellist", "application"], name="score_once")
        ]

    def __str__(self):
        return f"{self.application_id}: {self.total}"

    @property
    def total(self) -> int:
        return sum(self.marks.values())


class RoundBallot(Kept):
    """One voter's ballot, as chosen: application refs ticked (a list) or points (a dict).
    Who voted is not kept, only how the ballot came in and who typed it in."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ballots")
    ref = models.CharField(_("Ballot reference"), max_length=40)
    channel = models.CharField(max_length=8, choices=BallotChannel.choices)
    choices = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "entered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "ref"], name="ballot_ref_once")]

    def __str__(self):
        return self.ref


class RoundDecision(Kept):
    """A line of a round's public decision log: the count, or an override (one application
    added or removed, with its written reason). `winners` is the result after this line;
    the latest line is the decision."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=8, choices=DecisionKind.choices)
    rule = models.CharField(max_length=40)
    winners = models.JSONField(default=list)  # application refs
    tallies = models.JSONField(default=dict)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["computed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="round_override_has_reason",
                condition=Q(kind=DecisionKind.COUNT)
                | (~Q(reason="") & Q(application__isnull=False)),
            )
        ]

    def __str__(self):
        return self.get_kind_display()


# --- after the money (issue 17, part 4; results.py) ------------------------------------------


class AwardUpdate(Kept):
    """A dated line of a community award's timeline: how the project stands (status), how
    far along it is, and what happened, typed on the page, sent through the API or read
    from a CSV file. The newest line is the award's current status."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="updates")
    on = models.DateField(_("Date"))
    status = models.CharField(_("Status"), max_length=12, choices=ResultStatus.choices)
    progress = models.PositiveSmallIntegerField(
        _("How far along (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    note = models.TextField(_("What happened"), blank=True)
    source = models.CharField(max_length=8, choices=UpdateSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["award", "on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["award", "on"])]
        constraints = [
            models.CheckConstraint(
                name="award_update_progress_0_100",
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
            )
        ]

    def __str__(self):
        return f"{self.on}: {self.get_status_display()}"


class VoterCode(Kept):
    """A one-use code for a round's public vote, handed out on paper or by text. Only a
    digest of the code is kept; which ballot a code cast is never recorded (a secret
    ballot), only that it has been used."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="voter_codes")
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "issued_at", "pk"]

    def __str__(self):
        return f"code {self.pk}"
