from django.db import models


class AssetKind(models.TextChoices):
    SERVICE = "service", "Service"
    GROUP = "group", "Group or regular activity"
    EVENT = "event", "One-off event"
    SPACE = "space", "Informal space (shop, café, park, faith space)"


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class ChangeAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    CHECKED = "checked", "Checked, still true"
    IMPORTED = "imported", "Imported"
    SUGGESTION = "suggestion", "Suggestion accepted"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class FollowUpOutcome(models.TextChoices):
    GOING = "going", "Still going"
    STOPPED = "stopped", "Stopped"
    NEVER_STARTED = "never_started", "Never started"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class ImportSource(models.TextChoices):
    ORUK_JSON = "oruk_json", "Open Referral UK (HSDS) JSON file"
    CSV = "csv", "CSV file"
    URL = "url", "Open Referral UK feed at a web address"


class ImportState(models.TextChoices):
    MAPPING = "mapping", "Waiting for the column mapping"
    QUEUED = "queued", "Queued"
    DONE = "done", "Finished"
    FAILED = "failed", "Could not be read"
