"""Input for casework on a resident's record: their details and own words, conversations,
goals, connections, consent and the journey's stage."""

from django import forms

from commonweave.web.forms import GovukDateField, GovukForm

from ..enums import (
    CloseReason,
    ConnectionKind,
    ConnectionStatus,
    ConsentMethod,
    ConsentPurpose,
    ContactMethod,
    ConversationKind,
    GoalProgress,
    Stage,
)
from ..services import PROFILE_FIELDS

# What a catalyst reads out or shows when asking, per purpose: kept with each consent event.
CONSENT_WORDING = {
    ConsentPurpose.CONTACT: "Is it all right for the partnership to contact you?",
    ConsentPurpose.SHARE: (
        "Is it all right for us to share your record (not our conversation notes) with "
        "this organisation, so they can help you too?"
    ),
    ConsentPurpose.STORY: (
        "May we use your story, without your name or anything that identifies you, to help "
        "services learn?"
    ),
    ConsentPurpose.EVALUATION: (
        "Would you like to take part in the evaluation of this partnership? You can stop at "
        "any time."
    ),
    ConsentPurpose.TEXTS: (
        "Is it all right for us to send you text messages? You can text STOP at any time."
    ),
}


class VersionedForm(GovukForm):
    """Carries the record version the edit started from, so nobody overwrites silently."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProfileForm(VersionedForm):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    preferred_name = forms.CharField(
        label="What they like to be called", max_length=80, required=False
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, past_only=True, help_text="For example, 27 3 1950"
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    address = forms.CharField(
        label="Address", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    contact_method = forms.ChoiceField(
        label="How they like to be contacted",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they like to be contacted"},
    )
    contact_when = forms.CharField(label="Best time to contact", max_length=200, required=False)
    what_matters = forms.CharField(
        label="What matters to them",
        help_text="In their own words where you can",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    strengths = forms.CharField(
        label="Their strengths", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    has_to_give = forms.CharField(
        label="What they have to give",
        help_text="Skills, time, knowledge: what others could gain from them",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean_postcode(self):
        return " ".join(self.cleaned_data["postcode"].upper().split())

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            name: (data[name].strip() if isinstance(data[name], str) else data[name])
            for name in PROFILE_FIELDS
        }

    @classmethod
    def for_resident(cls, resident):
        initial = {name: getattr(resident, name) for name in PROFILE_FIELDS}
        return cls(initial={**initial, "version": resident.version})


class ConversationForm(GovukForm):
    kind = forms.ChoiceField(
        label="How did you talk?",
        choices=ConversationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you talked"},
    )
    happened_on = GovukDateField(
        label="When", required=False, past_only=True, help_text="Leave blank for today"
    )
    notes = forms.CharField(
        label="What you talked about",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write what you talked about"},
    )
    next_action = forms.CharField(
        label="Next action", max_length=200, required=False, help_text="What happens next, if any"
    )
    next_action_due = GovukDateField(label="Next action due by", required=False)

    def clean(self):
        data = super().clean()
        if data.get("next_action_due") and not (data.get("next_action") or "").strip():
            self.add_error("next_action", "Say what the next action is, or remove its date")
        return data


class GoalForm(GovukForm):
    text = forms.CharField(
        label="Their goal, in their own words",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Write the goal in their own words"},
    )


class GoalProgressForm(GovukForm):
    progress = forms.TypedChoiceField(
        label="Progress",
        choices=GoalProgress.choices,
        coerce=int,
        error_messages={"required": "Choose how far they have got"},
    )


class ConnectionForm(GovukForm):
    kind = forms.ChoiceField(
        label="Connected to",
        choices=ConnectionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they were connected to"},
    )
    name = forms.CharField(
        label="Name of the person, group, service or place",
        max_length=200,
        error_messages={"required": "Enter who or what they were connected to"},
    )
    description = forms.CharField(
        label="What it is and why it fits",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    status = forms.ChoiceField(
        label="Where it has got to",
        choices=ConnectionStatus.choices,
        initial=ConnectionStatus.MADE,
        widget=forms.RadioSelect,
    )
    made_on = GovukDateField(label="Date", required=False, help_text="Leave blank for today")


class ConsentForm(GovukForm):
    purpose = forms.ChoiceField(
        label="What is this consent for?",
        choices=ConsentPurpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the consent is for"},
    )
    organisation = forms.ModelChoiceField(
        label="Partner organisation to share with",
        queryset=None,
        required=False,
        empty_label="Choose an organisation",
        help_text="Only for sharing their record",
    )
    given = forms.TypedChoiceField(
        label="Their answer",
        choices=[("yes", "They agreed"), ("no", "They said no, or withdrew consent")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select their answer"},
    )
    method = forms.ChoiceField(
        label="How did they tell you?",
        choices=[c for c in ConsentMethod.choices if c[0] != ConsentMethod.REFERRER],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they told you"},
    )
    wording = forms.CharField(
        label="The words you showed or read to them",
        help_text="Leave blank to use the standard words for this purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        purpose = data.get("purpose")
        if purpose == ConsentPurpose.SHARE and not data.get("organisation"):
            self.add_error("organisation", "Choose the partner organisation to share with")
        if purpose and not (data.get("wording") or "").strip():
            data["wording"] = CONSENT_WORDING[ConsentPurpose(purpose)]
        return data


class StageForm(VersionedForm):
    to_stage = forms.ChoiceField(
        label="Move their journey to",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the stage to move to"},
    )
    note = forms.CharField(
        label="Why", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(s.value, Stage(s).label) for s in stages]


class GraduateForm(VersionedForm):
    words = forms.CharField(
        label="In their own words, why they feel ready",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write, in their own words, why they feel ready"},
    )
    giving_back = forms.CharField(
        label="Any giving back",
        help_text="For example, volunteering at the lunch club or helping a neighbour",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(
        label="Why is the journey closing?",
        choices=CloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the journey is closing"},
    )
    note = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class ResidentSearchForm(GovukForm):
    q = forms.CharField(
        label="Name, phone number or postcode",
        max_length=150,
        error_messages={"required": "Enter a name, phone number or postcode"},
    )

    def clean_q(self):
        value = " ".join(self.cleaned_data["q"].split())
        if len(value) < 2:
            raise forms.ValidationError("Enter at least 2 characters")
        return value
