from django.db import models


class Stage(models.TextChoices):
    REFERRED = "referred", "Referred"
    CONTACTED = "contacted", "Contacted"
    ENGAGED = "engaged", "Engaged"
    CONNECTING = "connecting", "Connecting"
    GRADUATED = "graduated", "Graduated"
    CLOSED = "closed", "Closed"


# Forward moves a catalyst can make; any open stage may also close, and a closed
# journey may be reopened as engaged. Graduation has its own service (it records words).
STAGE_ORDER = [Stage.REFERRED, Stage.CONTACTED, Stage.ENGAGED, Stage.CONNECTING, Stage.GRADUATED]
OPEN_STAGES = frozenset({Stage.REFERRED, Stage.CONTACTED, Stage.ENGAGED, Stage.CONNECTING})


class FrontDoor(models.TextChoices):
    PUBLIC_WEB = "public_web", "Public web form"
    STAFF = "staff", "Staff entry"
    API = "api", "Partner system (API)"
    TEXT = "text", "Text message"


class ReferrerKind(models.TextChoices):
    SELF = "self", "Themselves"
    FAMILY = "family", "Family member or friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    SHOP = "shop", "Shop, café or postman"
    GP = "gp", "GP or health worker"
    COUNCIL = "council", "Council worker"
    HOUSING = "housing", "Housing officer"
    SCHOOL = "school", "School"
    POLICE = "police", "Police"
    COMMUNITY = "community", "Community group or volunteer"
    OTHER = "other", "Someone else"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Within a day is fine"
    URGENT = "urgent", "Urgent - please contact within 3 hours"


class ReferralConsent(models.TextChoices):
    AGREED = "agreed", "They agreed to be referred"
    NOT_YET = "not_yet", "They don't know yet"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    VISIT = "visit", "Home visit"
    VIA_REFERRER = "via_referrer", "Through the person referring"


class ReferralStatus(models.TextChoices):
    NEW = "new", "Waiting for first contact"
    CONTACTED = "contacted", "Contacted"
    MERGED = "merged", "Merged into an existing record"
    CLOSED = "closed", "Closed"


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke to them - they want support"
    DECLINED = "declined", "Spoke to them - they don't want support now"
    MESSAGE = "message", "Left a message"
    NO_ANSWER = "no_answer", "Could not reach them"
    WRONG_DETAILS = "wrong_details", "Contact details were wrong"


# Outcomes that count as the promised first contact (a real conversation or message).
CONTACT_MADE_OUTCOMES = frozenset(
    {ContactOutcome.SPOKE, ContactOutcome.DECLINED, ContactOutcome.MESSAGE}
)


class ConversationKind(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    TEXT = "text", "Text or message"
    HOME_VISIT = "home_visit", "Home visit"


class ConnectionKind(models.TextChoices):
    PERSON = "person", "A person"
    GROUP = "group", "A group or activity"
    SERVICE = "service", "A service"
    PLACE = "place", "A place"


class ConnectionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    MADE = "made", "Connected"
    GOING = "going", "Still going"
    STOPPED = "stopped", "Stopped"


class GoalProgress(models.IntegerChoices):
    NOT_STARTED = 0, "Not started"
    STARTED = 25, "Made a start"
    HALFWAY = 50, "Halfway there"
    NEARLY = 75, "Nearly there"
    DONE = 100, "Done"


class ConsentPurpose(models.TextChoices):
    CONTACT = "contact", "Being contacted by the partnership"
    SHARE = "share", "Sharing their record with a named partner organisation"
    STORY = "story", "Their story being used anonymously"
    EVALUATION = "evaluation", "Taking part in evaluation"
    TEXTS = "texts", "Being sent text messages"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Said so in conversation"
    WRITTEN = "written", "In writing"
    ONLINE = "online", "Online form"
    REFERRER = "referrer", "Through the person who referred them"
    TEXT = "text", "By text message"


class CloseReason(models.TextChoices):
    NO_CONTACT = "no_contact", "Could not make contact"
    DECLINED = "declined", "Did not want support"
    MOVED = "moved", "Moved away"
    OTHER_SERVICE = "other_service", "Better supported by another service"
    DIED = "died", "Died"
    OTHER = "other", "Other"
