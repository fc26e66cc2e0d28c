from django.db import transaction
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from .models import GPRegistration
from .validators import nhs_number_digits

FIELDS = ("practice_code", "practice_name", "gp_name", "nhs_number")


@transaction.atomic
def gp_registration_save(viewer, resident, data) -> GPRegistration:
    """Record or change where the resident is registered with a GP (full access only: the
    caller has opened the record with Access.FULL). Audited, naming the fields changed."""
    data = {
        **data,
        "practice_code": (data.get("practice_code") or "").strip().upper(),
        "nhs_number": nhs_number_digits(data.get("nhs_number") or ""),
    }
    registration = GPRegistration.objects.filter(resident=resident).first()
    created = registration is None
    registration = registration or GPRegistration(resident=resident)
    changed = [f for f in FIELDS if getattr(registration, f) != data.get(f, "")]
    for name in FIELDS:
        setattr(registration, name, data.get(name, ""))
    registration.updated_by = viewer.user
    registration.updated_at = timezone.now()
    registration.full_clean()
    registration.save()
    audit_record(
        viewer=viewer,
        action=Action.CREATE if created else Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=registration,
        resident=resident,
        detail={"fields": changed},
    )
    return registration
