def from_html(html: str) -> bytes:
    """A tagged, accessible PDF (PDF/UA-1) of the message back."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # imported late: pango loads only when a PDF is made

    css = CSS(filename=finders.find("prescribing/message.css"))
    return HTML(string=html).write_pdf(stylesheets=[css], pdf_variant="pdf/ua-1")
