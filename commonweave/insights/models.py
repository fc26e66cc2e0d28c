"""What the published-number module remembers: each noisy release, so the same people
always get the same answer, and the privacy budget each place spends per quarter."""

from django.db import models
from django.utils import timezone


class PrivacyBudget(models.Model):
    """How much of a place's privacy budget (epsilon) new releases have used in one
    reporting period (a calendar quarter, "2026-Q4")."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7)
    spent = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "period"], name="insights_budget_once")
        ]

    def __str__(self):
        return f"{self.period}: {self.spent:g}"


class Release(models.Model):
    """One noisy statistic as it was published. `fingerprint` is a keyed hash of the exact
    numbers it was worked out from, so the same people with the same answers get this same
    release again, whatever the filters that found them, at no further cost."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7)
    fingerprint = models.CharField(max_length=64)
    statistic = models.CharField(max_length=200)
    epsilon = models.FloatField()
    values = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "fingerprint"], name="insights_release_once")
        ]

    def __str__(self):
        return f"{self.statistic} ({self.period})"
