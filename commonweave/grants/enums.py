from django.db import models
from django.utils.translation import gettext_lazy as _


class RecipientKind(models.TextChoices):
    RESIDENT = "resident", _("A resident (a personal grant)")
    ORGANISATION = "organisation", _("An organisation or group (a community grant)")
    AID_REQUEST = "aid_request", _("A neighbour's need (mutual aid)")


class AidMoney(models.TextChoices):
    """How money reaches a mutual-aid need."""

    REIMBURSEMENT = "reimbursement", _("Paying a helper back")
    PRE_PAYMENT = "pre_payment", _("Paying a helper before they buy")
    DIRECT = "direct", _("Paying for what is needed directly")


class AwardStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    DECLINE = "decline", _("Decline")


class EntryKind(models.TextChoices):
    """A line of the ledger. Nothing is deleted: a mistake is put right by a reversal."""

    FUNDING = "funding", _("Money into the fund")
    PAYMENT = "payment", _("Payment")
    REVERSAL = "reversal", _("Reversal of an earlier line")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Card (bought for them)")
    VOUCHER = "voucher", _("Voucher")
    CASH = "cash", _("Cash")
    SUPPLIER = "supplier", _("Paid to the supplier")
    OTHER = "other", _("Other")


class RoundState(models.TextChoices):
    """A participatory round, in order: applications come in, are screened, a panel scores
    them, residents vote, and the result is decided."""

    OPEN_CALL = "open_call", _("Open for applications")
    SCREENING = "screening", _("Checking eligibility")
    PANEL = "panel", _("Panel scoring")
    VOTE = "vote", _("Public vote")
    DECIDED = "decided", _("Decided")


class ApplicationChannel(models.TextChoices):
    WEB = "web", _("Web form")
    NOMINATION = "nomination", _("Nomination")
    CONVERSATION = "conversation", _("Conversation note")


class Eligibility(models.TextChoices):
    PENDING = "pending", _("Not screened yet")
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")


class BallotChannel(models.TextChoices):
    WEB = "web", _("Web")
    PAPER = "paper", _("Paper")
    TEXT = "text", _("Text message")


class DecisionKind(models.TextChoices):
    COUNT = "count", _("The count")
    OVERRIDE_ADD = "add", _("Override: added a winner")
    OVERRIDE_REMOVE = "remove", _("Override: removed a winner")


class ResultStatus(models.TextChoices):
    """How a community award's project stands (its newest timeline line)."""

    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


class UpdateSource(models.TextChoices):
    PAGE = "page", _("Typed on the page")
    CSV = "csv", _("From a CSV file")
    API = "api", _("Through the API")
