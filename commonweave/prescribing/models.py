from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import validate_nhs_number, validate_ods_code


class GPRegistration(models.Model):
    """Where a resident is registered with a GP: what the message back needs to reach
    their record (the PRSB standard's mandatory GP practice identifier), and their NHS
    number when they have given it. Restricted: the holding organisation's caseworkers
    only (prescribing/visibility.py)."""

    resident = models.OneToOneField(
        "people.Resident", on_delete=models.CASCADE, related_name="gp_registration"
    )
    nhs_number = models.CharField(
        _("NHS number"), max_length=10, blank=True, validators=[validate_nhs_number]
    )
    practice_code = models.CharField(
        _("GP practice code (ODS)"), max_length=6, validators=[validate_ods_code]
    )
    practice_name = models.CharField(_("GP practice name"), max_length=150, blank=True)
    gp_name = models.CharField(_("GP's name"), max_length=70, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"GP registration {self.pk}"
