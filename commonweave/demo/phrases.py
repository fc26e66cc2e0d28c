"""Words for the synthetic demo place: what referrers, residents and catalysts might say.

Everything here is invented. Slots in braces ({first}, {group}, {street}) are filled by the
generator so notes read like one person's story rather than a random sentence.
"""

PLACE_NAME = "Hartley Vale"
PLACE_SLUG = "hartley-vale"

# (key, name, kind) — kinds from tenancy.enums.OrganisationKind. The first is the lead VCSE.
ORGANISATIONS = [
    ("lead", "{place} Together", "vcse"),
    ("council", "{place} District Council", "council"),
    ("nhs", "{place} Primary Care Network", "nhs"),
    ("housing", "Valeside Homes", "housing"),
    ("school", "St Anne's Church of England Primary School", "school"),
    ("police", "{place} Neighbourhood Policing Team", "police"),
    ("centre", "Brook Street Community Centre", "community_group"),
    ("shed", "{place} Men's Shed", "community_group"),
]

STREET_SUFFIXES = [
    "Road", "Street", "Lane", "Close", "Avenue", "Way", "Crescent", "Grove", "Terrace",
    "Gardens", "Court", "Drive", "Walk", "Row", "Place",
]  # fmt: skip
AREAS = ["Hartley Vale", "Upper Hartley", "Brookside", "Millbank", "Vale Park", "Ashton Rise"]
POSTCODE_DISTRICTS = ["HV1", "HV2", "HV3", "HV4", "HV7"]

CONTACT_WHEN = [
    "Mornings are best",
    "After 2pm, not before",
    "Any time, but let the phone ring for a while",
    "Weekdays after the school run",
    "Evenings after 6pm",
    "Not on Wednesdays (hospital appointments)",
    "Text first, then call",
    "Any time",
    "",
    "",
]

# Why, in the referrer's own words. Grouped by who is referring.
REASONS_SELF = [
    "Since I retired I don't really see anyone and the days are very long.",
    "I've moved here recently and don't know anybody. I'd like to meet people.",
    "My husband died last year and I've lost my confidence going out.",
    "I'm a carer for my mum and I never get time for myself any more.",
    "I'd like to do something useful with my time, maybe volunteer.",
    "I've been struggling since I lost my job and I'm stuck indoors most days.",
    "I'm new to the area with two little ones and feel very alone.",
    "My health has not been good and I've stopped doing the things I used to enjoy.",
]
REASONS_FAMILY = [
    "My dad lives on his own and hasn't been out since his fall in the spring.",
    "My sister has been very low and I live too far away to help much.",
    "Mum is still driving but she has stopped going to church and seeing her friends.",
    "My friend has just come out of hospital and has nobody nearby.",
    "My brother finds it hard to leave the flat and is spending all day online.",
]
REASONS_NEIGHBOUR = [
    "She has not been out since her husband died and I worry about her.",
    "The gentleman next door used to chat every day but I haven't seen him for weeks.",
    "My neighbour is new to the country and doesn't know where to go for anything.",
    "The lady across the road keeps her curtains closed all day now.",
    "He has a lot of post piling up and seems very down when I see him.",
]
REASONS_SHOP = [
    "One of our regulars comes in every day just to talk. I think he is very lonely.",
    "A customer told me she hasn't spoken to anyone since Christmas.",
    "She buys the same few things each day and seems muddled and on her own.",
]
REASONS_PROFESSIONAL = [
    "Frequent GP attender, mainly low mood and isolation. Would benefit from community support.",
    "Tenant recently rehoused after a relationship breakdown, no local support network.",
    "Parent struggling since the family moved here. Keen to meet other parents.",
    "Older resident, lives alone, recently bereaved. Welfare visit raised worries about isolation.",
    "Discharged from hospital last week, lives alone, no family nearby.",
    "Young carer's mum would welcome support and a break; family is not known to services.",
    "Referred after several calls to us. Not a police matter: he is lonely and anxious.",
    "Has told us about money worries and feeling cut off since the bus route changed.",
    "Long-term health condition, wants to get out more but lacks confidence.",
]

FIRST_CONTACT_NOTES = [
    "Lovely chat. Happy to meet for a cuppa next week.",
    "Was a bit wary at first but warmed up. Agreed to a home visit.",
    "Talked for 40 minutes. Keen to hear what is going on locally.",
    "Spoke briefly, will call back at a better time as agreed.",
    "Left a voicemail with my name and number, and sent a text.",
    "Spoke to her daughter who passed the phone over. Arranged to meet.",
]
NO_ANSWER_NOTES = [
    "No answer, no voicemail set up.",
    "Rang twice, no reply. Will try again this afternoon.",
    "Phone switched off.",
]

WHAT_MATTERS = [
    "Getting out of the house more and seeing people.",
    "Being a good grandparent and seeing the grandchildren more often.",
    "Feeling useful again, like when I was working.",
    "My garden, and having someone to share it with.",
    "Keeping my independence and staying in my own home.",
    "Making friends who are not just on the internet.",
    "Music: I used to sing in a choir.",
    "Getting fit again after my operation.",
    "My faith and my church community.",
    "Cooking proper meals, not just for one.",
    "Walking my dog and meeting other dog walkers.",
    "Learning English so I can talk to my neighbours.",
]
STRENGTHS = [
    "Very good with her hands; knits and sews.",
    "Knows the area and its history inside out.",
    "Great sense of humour, puts people at ease.",
    "Was a mechanic for 30 years and can fix almost anything.",
    "Speaks three languages.",
    "Patient and a good listener.",
    "Brilliant cook, especially baking.",
    "Organised: used to run the office at the mill.",
    "Good gardener, grows his own vegetables.",
    "Plays the piano.",
]
HAS_TO_GIVE = [
    "Would happily teach others to knit.",
    "Could help at the repair café.",
    "Could bake for the lunch club.",
    "Could help people with forms and letters.",
    "Could read with children at the school.",
    "Could help in the community garden.",
    "Could show people how to use a smartphone.",
    "",
]

CONVERSATION_NOTES = [
    "Met at the community centre café. {first} talked about {topic}. Feeling {mood} this week.",
    "Home visit. {first} showed me photos of the family. We talked about {topic}.",
    "Phone catch-up. {first} went to {group} and said it was {verdict}.",
    "Walked together to {group}. {first} was nervous at first but stayed for the whole session.",
    "{first} rang me to say they have been going to {group} on their own. Really pleased.",
    "Talked through what matters: {topic}. Agreed to try {group} next week.",
    "{first} had a hard week ({setback}). We talked it through and agreed small steps.",
    "Coffee at the library. {first} wants to give something back, maybe at {group}.",
    "Quick call to check in. {first} is {mood} and busy with {group}.",
]
TOPICS = [
    "missing work",
    "the grandchildren",
    "getting out more",
    "their health",
    "money worries",
    "the garden",
    "music and singing",
    "feeling lonely in the evenings",
    "learning to use a tablet",
    "walking again after the operation",
]
MOODS = ["brighter", "a bit low", "much better", "tired but positive", "more confident", "anxious"]
VERDICTS = ["lovely", "a bit overwhelming", "really friendly", "better than expected", "fun"]
SETBACKS = [
    "a hospital appointment",
    "a fall in the kitchen",
    "trouble with the landlord",
    "a family argument",
    "a bad cold",
    "the boiler broke",
]
NEXT_ACTIONS = [
    "Call to see how {group} went",
    "Walk together to {group}",
    "Introduce to the organiser at {group}",
    "Check in by phone",
    "Home visit",
    "Help with bus pass application",
    "Meet at the library café",
    "Follow up on volunteering idea",
]
FIRST_NEXT_ACTION = "Arrange a first proper conversation"

GOALS = [
    "Go to the lunch club on my own",
    "Get back to singing",
    "Make one new friend",
    "Walk to the park and back without stopping",
    "Learn to video call my grandchildren",
    "Find some volunteering",
    "Cook a proper meal for someone else",
    "Get my allotment going again",
    "Feel confident taking the bus into town",
    "Join a walking group",
    "Improve my English",
    "Get out of the house three times a week",
]

# Connections, by kind (ConnectionKind values).
CONNECTIONS = {
    "group": [
        "Tuesday lunch club",
        "Knit and natter",
        "Hartley Vale community choir",
        "Men's Shed woodwork morning",
        "Walking for health group",
        "Repair café",
        "Parent and toddler group",
        "Conversation café (English practice)",
        "Friday film club",
        "Chair yoga at the church hall",
    ],
    "service": [
        "Citizens Advice drop-in",
        "Community transport",
        "Food pantry",
        "Carers' support service",
        "Digital skills drop-in at the library",
        "Falls prevention class",
    ],
    "place": [
        "Brook Street Community Centre",
        "Vale Park community garden",
        "Hartley Vale library",
        "St Anne's church hall",
        "The allotments on Mill Lane",
    ],
    "person": [
        "A neighbour who also walks her dog",
        "A volunteer befriender",
        "Another dad from the school gate",
        "A retired teacher who runs the quiz",
    ],
}

GRADUATION_WORDS = [
    "I've got my own routine now and people I can call. I don't need you checking on me!",
    "I feel like myself again. I'm out three days a week.",
    "I've made friends at the choir and we meet up without anyone organising it.",
    "I know where to go now if things get hard, and I've got people around me.",
    "I'm ready. I've gone from being helped to helping.",
    "The lunch club feels like family. I'm happy to carry on by myself.",
]
GIVING_BACK = [
    "Volunteers at the repair café on Saturdays.",
    "Bakes for the Tuesday lunch club.",
    "Helps neighbours with their shopping.",
    "Runs the knit and natter group now.",
    "Reads with children at St Anne's.",
    "Welcomes new people at the conversation café.",
    "Drives for the community transport scheme.",
]
CLOSE_NOTES = {
    "no_contact": "Tried several times by phone and letter; no reply.",
    "declined": "Said they are fine for now and know how to get back in touch.",
    "moved": "Moved to be near family.",
    "other_service": "Needs more specialist support; referred on with their agreement.",
    "died": "Passed away. Condolences sent to the family.",
    "other": "Journey ended by agreement.",
}

CONSENT_WORDING = {
    "contact": "Is it all right for the partnership to contact you by phone, text or a visit?",
    "share": (
        "Is it all right for us to share your record with {org} so they can support you? "
        "You can change your mind at any time."
    ),
    "story": "May we use your story, without your name, to show what the partnership does?",
    "evaluation": "Would you take part in the evaluation? Your answers are kept anonymous.",
    "texts": "Is it all right for us to send you text messages? You can text STOP at any time.",
}

# Everyday short forms, for the few residents who prefer one.
NICKNAMES = {
    "Margaret": "Maggie", "Elizabeth": "Liz", "William": "Bill", "Robert": "Bob",
    "Patricia": "Pat", "Jennifer": "Jen", "Susan": "Sue", "Christopher": "Chris",
    "Michael": "Mike", "Katherine": "Kate", "Deborah": "Debbie", "Anthony": "Tony",
    "Jacqueline": "Jackie", "Joseph": "Joe", "Thomas": "Tom", "Daniel": "Dan",
    "Samuel": "Sam", "Rebecca": "Becky", "Victoria": "Vicky", "Stephen": "Steve",
    "Kenneth": "Ken", "Frederick": "Fred", "Alexander": "Alex", "Jonathan": "Jon",
    "Benjamin": "Ben", "Matthew": "Matt", "Nicholas": "Nick", "Josephine": "Jo",
}  # fmt: skip
