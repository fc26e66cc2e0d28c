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
