from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Removed"
    EXPORT = "export", "Exported"
    MERGE = "merge", "Merged"
    CONSENT = "consent", "Consent recorded"
    SEARCH = "search", "Searched"


class Purpose(models.TextChoices):
    """Why the record was touched: the why-code on every audit entry."""

    CASEWORK = "casework", "Direct work with the resident"
    TRIAGE = "triage", "Triage of a referral"
    SHARED = "shared", "Shared with consent"
    REFERRER = "referrer", "Following up a referral they made"
    INTAKE = "intake", "Referral received"
    ADMIN = "admin", "Record administration"


class Scheme(models.IntegerChoices):
    """How an audit event's hash was made."""

    SHA256 = 1, "SHA-256, before the audit key existed"
    HMAC_SHA256 = 2, "HMAC-SHA256 with the audit key"
