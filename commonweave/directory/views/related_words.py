"""The place's related words: what residents type and the words the directory uses for it
(coordinators and place admins). The list's logic lives in search.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonweave.web.forms import GovukForm

from .. import search
from .common import editor


class RelatedWordsForm(GovukForm):
    words = forms.CharField(
        label=gettext_lazy("Related words"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 25, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One line each: what a resident might type, a colon, then the words your "
            "directory uses for it, separated by commas. For example, "
            "lonely: befriending, friendship, social"
        ),
    )

    def clean_words(self):
        pairs, bad = search.parse_related_words(self.cleaned_data["words"])
        if bad:
            raise forms.ValidationError(
                _("Lines %(lines)s need a word or phrase, a colon, then related words")
                % {"lines": ", ".join(bad[:10])}
            )
        return pairs


@login_required
def related_words(request, place_slug):
    viewer = editor(request, place_slug)
    place = viewer.place
    form = RelatedWordsForm(
        request.POST or None, initial={"words": search.related_words_text(place)}
    )
    if request.method == "POST" and form.is_valid():
        count = search.related_words_save(
            viewer=viewer, place=place, pairs=form.cleaned_data["words"]
        )
        messages.success(request, _("Related words saved: %(count)d.") % {"count": count})
        return redirect("directory:related_words", place_slug=place_slug)
    return render(
        request,
        "directory/related_words.html",
        {"place": place, "form": form},
        status=400 if form.errors else 200,
    )
