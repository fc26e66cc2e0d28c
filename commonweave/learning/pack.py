"""The session pack: stories, barriers and actions of one session, as accessible HTML and
as PDF (WeasyPrint). A pack is handed to everyone who came, so it names a resident only
where they agreed to their story being used AND the person exporting and every attending
organisation may see them (held by it, or shared with it by consent): see
`selectors.pack_identities`. Every export writes one audit event."""

from django.template.loader import render_to_string

from commonweave.audit.enums import Action as AuditAction
from commonweave.audit.enums import Purpose
from commonweave.audit.services import audit_record

from . import selectors


def pack_context(viewer, session):
    contents = selectors.session_contents(viewer, session)
    identities = selectors.pack_identities(viewer, contents["stories"], contents["attendees"])
    return {"session": session, "identities": identities, **contents}


def pack_export(viewer, session, *, fmt):
    """Returns the pack as str (html) or bytes (pdf) and audits the export once."""
    context = pack_context(viewer, session)
    html = render_to_string("learning/pack.html", {**context, "pdf": fmt == "pdf"})
    audit_record(
        viewer=viewer,
        action=AuditAction.EXPORT,
        purpose=Purpose.SHARED if context["identities"] else Purpose.ADMIN,
        obj=session,
        detail={
            "format": fmt,
            "stories": len(context["stories"]),
            "residents": sorted(r.public_id for r in context["identities"].values()),
        },
    )
    if fmt == "html":
        return html
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # imported late: pango loads only when a PDF is made

    css = CSS(filename=finders.find("learning/pack.css"))
    return HTML(string=html).write_pdf(stylesheets=[css], pdf_variant="pdf/ua-1")
