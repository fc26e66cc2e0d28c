"""Who may change or remove what in the learning app.

Every member of staff in the place reads and adds to the partnership's learning. Changing
a thing is for those who answer for it; removing it is narrower still, because others
have built on it. A place admin may always step in. Services raise Http404 when a rule
says no, like any other object the viewer cannot act on.
"""


def _admin_or_author(viewer, obj) -> bool:
    return viewer.is_place_admin or (
        viewer.user_id is not None and viewer.user_id == obj.created_by_id
    )


def can_edit_session(viewer, session) -> bool:
    # Sessions are written together: anyone at the partnership's table may correct one.
    return bool(viewer and viewer.grants)


def can_delete_session(viewer, session) -> bool:
    return _admin_or_author(viewer, session)


def can_change_story(viewer, story) -> bool:
    """The organisation that brought the story (it may be linked to their resident)."""
    return _admin_or_author(viewer, story) or story.brought_by_id in viewer.member_org_ids


def can_edit_barrier(viewer, barrier) -> bool:
    # The register is shared; every edit is kept in the barrier's history.
    return bool(viewer and viewer.grants) and barrier.withdrawn_at is None


def can_withdraw_barrier(viewer, barrier) -> bool:
    # A barrier a partner system recorded is that token's to withdraw (it has no user to
    # compare); another token, even of the same organisation, did not record it.
    by_this_token = (
        viewer.token is not None
        and barrier.created_by_token_id is not None
        and viewer.token.pk == barrier.created_by_token_id
    )
    return barrier.withdrawn_at is None and (_admin_or_author(viewer, barrier) or by_this_token)


def can_change_action(viewer, action) -> bool:
    """The owning organisation, whoever set the action, or a place admin."""
    return bool(viewer) and (
        action.owner_organisation_id in viewer.member_org_ids or _admin_or_author(viewer, action)
    )


def can_delete_action(viewer, action) -> bool:
    # The owner marks it "no longer needed" instead, so the record of it stays.
    return bool(viewer) and _admin_or_author(viewer, action)


def can_change_entry(viewer, entry) -> bool:
    return _admin_or_author(viewer, entry) or (
        entry.organisation_id is not None and entry.organisation_id in viewer.member_org_ids
    )


def can_change_card(viewer, card) -> bool:
    return _admin_or_author(viewer, card)


def can_change_partnership(viewer, _obj=None) -> bool:
    # The set-up and phase are the place's own: its admins shape them.
    return bool(viewer) and viewer.is_place_admin
