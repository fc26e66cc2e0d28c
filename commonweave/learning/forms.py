"""Input for the learning pages. Services check the rules; forms shape and keep input."""

from django import forms

from commonweave.tenancy.enums import Phase
from commonweave.web.forms import GovukDateField, GovukForm

from .enums import ActionStatus, Column, EntryKind, Level, Quadrant


class Versioned(forms.Form):
    """Carries the version an edit started from, so nobody overwrites anyone silently."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        # Kept so the form can be rebuilt on the current version after a conflict.
        self.init_kwargs = {k: v for k, v in kwargs.items() if k not in ("data", "initial")}
        super().__init__(*args, **kwargs)


class ConfirmForm(Versioned, GovukForm):
    """A removal's confirmation: the version the person looked at."""


def apply_errors(form, error):
    """Put a service's ValidationError next to the fields it names."""
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class SessionForm(GovukForm):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    held_on = GovukDateField(
        label="Date",
        help_text="For example, 4 3 2026",
        error_messages={"required": "Enter the date of the session"},
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SessionEditForm(Versioned, SessionForm):
    pass


class SessionRecordForm(Versioned, GovukForm):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class AttendeeForm(GovukForm):
    name = forms.CharField(max_length=150, error_messages={"required": "Enter their name"})
    organisation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Organisation in the partnership",
        empty_label="Not in the partnership",
    )
    organisation_name = forms.CharField(
        max_length=160,
        required=False,
        label="Or the organisation they came from",
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class StoryForm(GovukForm):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    text = forms.CharField(
        label="The story",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Write it so that no one could tell who it is about.",
        error_messages={"required": "Write the story"},
    )
    resident = forms.CharField(
        label="Link to a resident's record",
        max_length=12,
        required=False,
        help_text=(
            "Their record id, for example k3m9x2pq7rtw. Only if they agreed to their story "
            "being used; otherwise leave blank and the story stays anonymous."
        ),
    )


class StoryEditForm(Versioned, StoryForm):
    """The resident field is offered only to someone who may see who the story is about
    (the view removes it otherwise, and the link is then left as it is)."""


class BarrierForm(GovukForm):
    title = forms.CharField(
        label="What got in the way, in plain words",
        max_length=200,
        error_messages={"required": "Say what got in the way"},
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="More detail"
    )
    quadrant = forms.ChoiceField(
        choices=Quadrant.choices,
        widget=forms.RadioSelect,
        label="Where it sits",
        error_messages={"required": "Choose where the barrier sits"},
    )
    service_area = forms.CharField(max_length=100, required=False, label="Service area")
    story = forms.CharField(widget=forms.HiddenInput, required=False)
    add_anyway = forms.BooleanField(
        required=False, label="It is different from these: add it as a new barrier"
    )


class BarrierEditForm(Versioned, GovukForm):
    title = BarrierForm.base_fields["title"]
    description = BarrierForm.base_fields["description"]
    quadrant = BarrierForm.base_fields["quadrant"]
    service_area = BarrierForm.base_fields["service_area"]


class BarrierWithdrawForm(Versioned, GovukForm):
    reason = forms.CharField(
        label="Why it is being withdrawn",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it is being withdrawn"},
    )
    same_as = forms.ChoiceField(
        label="Is it the same as another barrier?",
        required=False,
        widget=forms.RadioSelect,
        help_text="Its stories, actions and log entries then move to that barrier.",
    )

    def __init__(self, *args, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["same_as"].choices = [("", "No, it is not a duplicate")] + [
            (b.public_id, b.title) for b in others
        ]


class LinkStoryForm(GovukForm):
    story = forms.ChoiceField(label="Story where it appeared", choices=())

    def __init__(self, *args, stories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["story"].choices = [(s.public_id, s.title) for s in stories]


class LevelForm(GovukForm):
    level = forms.ChoiceField(
        choices=Level.choices,
        widget=forms.RadioSelect,
        label="Learning level",
        error_messages={"required": "Choose a level"},
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Useful: what was resolved. Good: what root cause was found. "
            "Great: what changed in how services work."
        ),
        error_messages={"required": "Give the evidence in words"},
    )


class ActionForm(GovukForm):
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what will be done"},
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=None,
        label="Organisation that owns it",
        error_messages={"required": "Choose the organisation that owns this"},
    )
    owner = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Who will do it",
        empty_label="Someone without an account here",
        help_text="They get reminders when it is nearly due or overdue.",
    )
    owner_name = forms.CharField(
        max_length=150, required=False, label="Or their name, if they have no account here"
    )
    due_on = GovukDateField(
        label="Due date",
        help_text="For example, 30 6 2026",
        error_messages={"required": "Enter the date it is due"},
    )

    def __init__(self, *args, organisations, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: u.name or u.email


class ActionEditForm(Versioned, ActionForm):
    pass


class ActionStatusForm(Versioned, GovukForm):
    status = forms.ChoiceField(choices=ActionStatus.choices, label="Status")


class LogEntryForm(GovukForm):
    kind = forms.ChoiceField(
        choices=EntryKind.choices,
        widget=forms.RadioSelect,
        label="What kind of entry",
        error_messages={"required": "Choose a reflection or a test-and-learn cycle"},
    )
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    body = forms.CharField(
        label="Reflection", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    tried = forms.CharField(
        label="What we tried", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    happened = forms.CharField(
        label="What happened", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    learnt = forms.CharField(
        label="What we learnt", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    will_change = forms.CharField(
        label="What we will change", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    tags = forms.CharField(max_length=300, required=False, help_text="Themes, separated by commas")
    barriers = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Barriers it is about",
    )

    def __init__(self, *args, barriers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["barriers"].queryset = barriers


class LogEntryEditForm(Versioned, LogEntryForm):
    pass


class BoardForm(GovukForm):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})


class CardForm(GovukForm):
    column = forms.ChoiceField(choices=Column.choices, label="Column")
    text = forms.CharField(
        max_length=500,
        label="Your card",
        error_messages={"required": "Write something on the card"},
    )


class CardEditForm(Versioned, CardForm):
    pass


class PartnershipForm(Versioned, GovukForm):
    challenge = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    aims = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One a line. Broad aims, not fixed targets.",
    )
    values = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text="One a line."
    )
    partners = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Partners beyond the organisations listed",
    )
    governance = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PhaseForm(GovukForm):
    phase = forms.ChoiceField(choices=Phase.choices, widget=forms.RadioSelect, label="Phase")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Why now"
    )
