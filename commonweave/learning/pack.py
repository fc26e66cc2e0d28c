"""The session pack: stories, barriers and actions of one session, as accessible HTML and
as PDF (WeasyPrint). A pack is handed to everyone who came, so it names a resident only
where they agreed to their story being used AND the person exporting and every attending
organisation may see them (held by it, or shared with it by consent): see
`selectors.pack_identities`. The HTML pack is made at once; the PDF is built by a
background job (`pack_jobs`). Every export writes one audit event."""

from django.template.loader import render_to_string

from commonweave.audit.enums import Action as AuditAction
from commonweave.audit.enums import Purpose
from commonweave.audit.services import audit_record

from . import selectors


def pack_context(viewer, session):
    contents = selectors.session_contents(viewer, session)
    identities = selectors.pack_identities(viewer, contents["stories"], contents["attendees"])
    return {"session": session, "identities": identities, **contents}


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
        detail={"format": fmt, "stories": stories, "residents": sorted(residents), **detail},
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
