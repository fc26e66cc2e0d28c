"""The session pack: stories, barriers and actions of one session, as accessible HTML and
as PDF (WeasyPrint). A pack is handed to everyone who came, so it names a resident only
where they agreed to their story being used AND the person exporting and every attending
organisation may see them (held by it, or shared with it by consent): see
`selectors.pack_identities`. The HTML pack is made at once; the PDF is built by a
background job (`pack_jobs`). Every export writes one audit event.

The pack renders stories and people only through the field policy (learning/visibility.py,
people/visibility.py): a story at the pseudonymous level (title and text, under no name),
or at the shared level where the pack may name the person; the person then at the shared
level too, since every organisation at the session holds or shares their record, so the
pack shows no more of them than the weakest of those may see: their name."""

from django.template.loader import render_to_string

from commonweave.audit.enums import Action as AuditAction
from commonweave.audit.enums import Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import Level, shown

from . import selectors

# The level a pack names a person at: every organisation present holds or shares the record.
NAMED_LEVEL = Level.SHARED


def pack_stories(stories, identities) -> list[dict]:
    """Each story as the pack shows it: `story` through the field policy, `person` (the
    resident it is about, shown) only where the pack may name them, and its barriers."""
    items = []
    for story in stories:
        resident = identities.get(story.pk)
        record = shown(story, NAMED_LEVEL if resident else Level.PSEUDONYMOUS)
        named = resident is not None and record.may_show("resident")
        items.append(
            {
                "story": record,
                "person": shown(resident, NAMED_LEVEL) if named else None,
                "barriers": list(story.barriers.all()),
            }
        )
    return items


def pack_context(viewer, session):
    """What a pack shows. `items` is what the template renders (pack_stories); `stories`
    and `identities` are the records themselves, for counting and auditing only."""
    contents = selectors.session_contents(viewer, session)
    identities = selectors.pack_identities(viewer, contents["stories"], contents["attendees"])
    return {
        "session": session,
        "identities": identities,
        "items": pack_stories(contents["stories"], identities),
        **contents,
    }


def pack_html(context, *, pdf=False) -> str:
    return render_to_string("learning/pack.html", {**context, "pdf": pdf})


def pdf_from_html(html) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # imported late: pango loads only when a PDF is made

    css = CSS(filename=finders.find("learning/pack.css"))
    return HTML(string=html).write_pdf(stylesheets=[css], pdf_variant="pdf/ua-1")


def audit_export(viewer, session, *, fmt, stories, residents, **detail):
    """One EXPORT event: which session, how many stories, which residents it names (ids)."""
    audit_record(
        viewer=viewer,
        action=AuditAction.EXPORT,
        purpose=Purpose.SHARED if residents else Purpose.ADMIN,
        obj=session,
        residents=residents,
        detail={"format": fmt, "stories": stories, **detail},
    )


def pack_export(viewer, session) -> str:
    """The HTML pack, made at once; audits the export once."""
    context = pack_context(viewer, session)
    html = pack_html(context)
    audit_export(
        viewer,
        session,
        fmt="html",
        stories=len(context["stories"]),
        residents=[r.public_id for r in context["identities"].values()],
    )
    return html
