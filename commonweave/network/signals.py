"""Receivers that keep derived ties current without the people or learning apps calling
this one. Each re-derives the ties of the one resident or session that changed, inside
the writer's transaction (derive.py is idempotent, so a missed signal is repaired by the
next recompute, which runs sync_ties first).

Writes that bypass signals (QuerySet.update, as in referral_merge) reach here through an
explicit hook: people.hooks.on_merge(after_merge), registered in NetworkConfig.ready.
"""

from django.db.models.signals import post_delete, post_save

from . import derive


def _resident_changed(resident_id):
    from commonweave.people.models import Resident

    resident = Resident.objects.filter(pk=resident_id).select_related("place").first()
    if resident is not None:
        derive.sync_residents(resident.place, [resident.pk])


def on_resident_row_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    _resident_changed(instance.resident_id)


def on_connection_deleted(sender, instance, **kwargs):
    derive.forget(f"connection:{instance.pk}")
    _resident_changed(instance.resident_id)


def on_referral_deleted(sender, instance, **kwargs):
    derive.forget(f"referral:{instance.pk}")
    _resident_changed(instance.resident_id)


def on_stage_change(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        _resident_changed(instance.resident_id)


def after_merge(duplicate, kept):
    """Registered with people.hooks: a merge moves rows with QuerySet.update (no signals),
    so re-derive both residents."""
    derive.sync_residents(kept.place, [duplicate.pk, kept.pk])


def on_attendee_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    derive.sync_session(instance.session_id)


def on_session_deleted(sender, instance, **kwargs):
    derive.sync_session(instance.pk)


def on_match_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    derive.sync_helping(instance.pk)


def connect():
    from commonweave.people.models import Connection, Consent, Referral, StageChange

    uid = "network.derive."
    post_save.connect(on_resident_row_saved, sender=Connection, dispatch_uid=uid + "conn")
    post_delete.connect(on_connection_deleted, sender=Connection, dispatch_uid=uid + "conn-d")
    post_save.connect(on_resident_row_saved, sender=Referral, dispatch_uid=uid + "ref")
    post_delete.connect(on_referral_deleted, sender=Referral, dispatch_uid=uid + "ref-d")
    post_save.connect(on_resident_row_saved, sender=Consent, dispatch_uid=uid + "consent")
    post_delete.connect(on_resident_row_saved, sender=Consent, dispatch_uid=uid + "consent-d")
    post_save.connect(on_stage_change, sender=StageChange, dispatch_uid=uid + "stage")
    from django.apps import apps

    if apps.is_installed("commonweave.mutualaid"):
        match = apps.get_model("mutualaid", "Match")
        post_save.connect(on_match_changed, sender=match, dispatch_uid=uid + "aid-match")
        post_delete.connect(on_match_changed, sender=match, dispatch_uid=uid + "aid-match-d")
    if apps.is_installed("commonweave.learning"):
        try:
            attendee = apps.get_model("learning", "Attendee")
            session = apps.get_model("learning", "Session")
        except LookupError:
            return
        post_save.connect(on_attendee_changed, sender=attendee, dispatch_uid=uid + "att")
        post_delete.connect(on_attendee_changed, sender=attendee, dispatch_uid=uid + "att-d")
        post_delete.connect(on_session_deleted, sender=session, dispatch_uid=uid + "sess-d")
