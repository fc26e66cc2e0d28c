"""A test set of barriers in plain, varied words, and rewordings of some of them."""

REGISTER = [
    ("GP appointments can only be booked by phoning at 8am", "Practice & Citizen Experience"),
    ("Housing repair requests have to be made online", "Practice & Citizen Experience"),
    ("No one service holds the whole picture of a person's needs", "System Conditions"),
    (
        "Hospital discharge happens without telling the person's support network",
        "System Conditions",
    ),
    ("Staff are not allowed to spend time building relationships", "Workforce & Culture"),
    ("Funding rules reward competition between charities", "Leadership & Governance"),
    (
        "Letters from the council use jargon people do not understand",
        "Practice & Citizen Experience",
    ),
    (
        "Benefit claims stop when someone goes into hospital and take weeks to restart",
        "System Conditions",
    ),
    ("Interpreters are not booked for appointments", "Practice & Citizen Experience"),
    ("Caseworkers change so often residents have to retell their story", "Workforce & Culture"),
    ("Community groups are not invited to planning meetings", "Leadership & Governance"),
    ("Bus routes to the health centre were cut", "System Conditions"),
    ("Referral forms ask for an NHS number people do not know", "Practice & Citizen Experience"),
    ("Managers measure calls closed rather than problems solved", "Workforce & Culture"),
    ("Social prescribing link workers have waiting lists of months", "System Conditions"),
    ("Adult social care assessments take too long", "System Conditions"),
    ("Food bank vouchers need a referral from a professional", "Practice & Citizen Experience"),
    ("Data sharing agreements between partners are not in place", "Leadership & Governance"),
    ("Frontline staff have no time for training on trauma", "Workforce & Culture"),
    ("Mental health services turn people away for drinking", "Practice & Citizen Experience"),
]

# (reworded text, index in REGISTER of the barrier it duplicates)
REWORDED = [
    ("Residents cannot get a doctor's appointment unless they ring first thing in the morning", 0),
    ("People without internet can't report repairs to their flat because it is online only", 1),
    ("When someone leaves hospital nobody lets their support network know", 3),
    ("Benefits are stopped during a hospital stay and restarting them is delayed for weeks", 7),
    ("Each time a new caseworker arrives the resident must tell their story all over again", 9),
    ("You need a professional to refer you before you get a food bank voucher", 16),
]
