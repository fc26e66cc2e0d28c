from django.db import models


class NodeKind(models.TextChoices):
    RESIDENT = "resident", "Resident"
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    GROUP = "group", "Group or activity"
    SERVICE = "service", "Service"
    VENUE = "venue", "Place or asset"


class Sector(models.TextChoices):
    """The sectors of a place (after Oldham's sector map)."""

    LOCAL_AUTHORITY = "local_authority", "Local authority"
    PUBLIC_SERVICES = "public_services", "Other public services"
    ELECTED = "elected", "Elected representatives"
    VCSE = "vcse", "Voluntary, community and social enterprise"
    FAITH = "faith", "Faith groups"
    BUSINESS = "business", "Business"
    SCHOOLS = "schools", "Schools and colleges"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    POLICE = "police", "Police"
    RESIDENTS_GROUPS = "residents_groups", "Residents' and community groups"
    OTHER = "other", "Other"


# Where an organisation of the partnership sits on the sector map by default.
SECTOR_FOR_ORGANISATION_KIND = {
    "council": Sector.LOCAL_AUTHORITY,
    "nhs": Sector.HEALTH,
    "housing": Sector.HOUSING,
    "school": Sector.SCHOOLS,
    "police": Sector.POLICE,
    "vcse": Sector.VCSE,
    "community_group": Sector.RESIDENTS_GROUPS,
    "other": Sector.OTHER,
}


class TieType(models.TextChoices):
    CONNECTION = "connection", "Connected by a catalyst"
    CASEWORK = "casework", "Supported by"
    SHARING = "sharing", "Record shared with, by consent"
    REFERRAL = "referral", "Referred to"
    CO_ATTENDANCE = "co_attendance", "At the same session"
    PARTNERSHIP = "partnership", "Partners"
    WORKS_WITH = "works_with", "Works with"
    KNOWS = "knows", "Knows"
    FAMILY_FRIEND = "family_friend", "Family or friend"
    HELPS = "helps", "Helps"
    SEES = "sees", "Sees"
    CALL_ON = "call_on", "Could call on"


class TieSource(models.TextChoices):
    CONNECTION = "connection", "Derived from a connection"
    REFERRAL = "referral", "Derived from a referral"
    CONSENT = "consent", "Derived from consent to share"
    CO_ATTENDANCE = "co_attendance", "Derived from session attendance"
    PARTNERSHIP = "partnership", "Partnership"
    MANUAL = "manual", "Recorded by hand"
    SURVEY = "survey", "Network survey"
    OWN_NETWORK = "own_network", "A resident's own network, by consent"
    MUTUAL_AID = "mutual_aid", "Derived from neighbours helping (mutual aid)"


DERIVED_SOURCES = frozenset(
    {
        TieSource.CONNECTION,
        TieSource.REFERRAL,
        TieSource.CONSENT,
        TieSource.CO_ATTENDANCE,
        TieSource.OWN_NETWORK,
        TieSource.MUTUAL_AID,
    }
)


class SurveyState(models.TextChoices):
    """A network survey import: checked on upload, reviewed, then imported by a job."""

    REVIEW = "review", "Waiting for review"
    QUEUED = "queued", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Could not be imported"


class SnapshotStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# --- a resident's own network (drawn with their catalyst) ----------------------------------


class MemberKind(models.TextChoices):
    PERSON = "person", "A person"
    GROUP = "group", "A group or activity"
    SERVICE = "service", "A service or organisation"
    PLACE = "place", "A place"


MEMBER_NODE_KIND = {
    MemberKind.PERSON: NodeKind.PERSON,
    MemberKind.GROUP: NodeKind.GROUP,
    MemberKind.SERVICE: NodeKind.SERVICE,
    MemberKind.PLACE: NodeKind.VENUE,
}


class Closeness(models.IntegerChoices):
    """The circle they are drawn in: 1 is the inner circle."""

    VERY_CLOSE = 1, "Very close"
    CLOSE = 2, "Close"
    FURTHER = 3, "Further out"


# The strength of the tie a member becomes in the place network (greater is stronger).
CLOSENESS_STRENGTH = {Closeness.VERY_CLOSE: 3.0, Closeness.CLOSE: 2.0, Closeness.FURTHER: 1.0}

# What the resident says about each member, and the kind of tie each becomes.
RELATIONS = (
    ("sees", "They see them", TieType.SEES),
    ("call_on", "They could call on them", TieType.CALL_ON),
    ("helps", "They help them", TieType.HELPS),
)
