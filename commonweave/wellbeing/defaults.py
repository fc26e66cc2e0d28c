"""The life map a place starts with, in plain words. A place can publish its own set; this
is only the first version. (No Outcomes Star wording: that is licensed.)"""

SCALE_POINTS = [
    {"value": 1, "label": "Really hard right now"},
    {"value": 2, "label": "Not going well"},
    {"value": 3, "label": "Getting by"},
    {"value": 4, "label": "Going well"},
    {"value": 5, "label": "Going really well"},
]

TRAFFIC_LIGHT_COLOURS = ("red", "amber", "green")

DEFAULT_AREAS = [
    ("people", "People around me", "How do you feel about the people in your life?"),
    ("feeling_well", "Feeling well", "How are you feeling in body and mind?"),
    ("home", "Home", "How do you feel about where you live?"),
    ("money", "Money", "How are you managing with money?"),
    ("enjoy", "Things I enjoy", "How much do you get to do things you enjoy?"),
    ("out_and_about", "Getting out and about", "How easy is it to get out and about?"),
    ("giving", "Giving to others", "How much do you get to help or give to others?"),
    ("safe", "Feeling safe", "How safe do you feel, at home and around?"),
]


def default_areas():
    return [
        {
            "key": key,
            "name": name,
            "question": question,
            "kind": "scale",
            "points": [dict(point) for point in SCALE_POINTS],
        }
        for key, name, question in DEFAULT_AREAS
    ]
