"""Related words (RelatedWords, seeded for existing places with the list of the day), and
stemming: SQLite's FTS5 index is rebuilt with the porter tokenizer; PostgreSQL gets a GIN
index on the english text-search vector of search_text. The SQL and the list are repeated
here so this migration never changes with the app's code (see fts.py, search.py)."""

from django.db import migrations, models

FTS_CREATE = [
    "DROP TRIGGER IF EXISTS directory_service_fts_ai",
    "DROP TRIGGER IF EXISTS directory_service_fts_ad",
    "DROP TRIGGER IF EXISTS directory_service_fts_au",
    "DROP TABLE IF EXISTS directory_service_fts",
    "CREATE VIRTUAL TABLE IF NOT EXISTS directory_service_fts USING fts5("
    "search_text, content='directory_service', content_rowid='rowid', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_ai AFTER INSERT ON directory_service "
    "BEGIN INSERT INTO directory_service_fts(rowid, search_text) "
    "VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_ad AFTER DELETE ON directory_service "
    "BEGIN INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_au AFTER UPDATE OF search_text "
    "ON directory_service BEGIN "
    "INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO directory_service_fts(rowid, search_text) "
    "VALUES (new.rowid, new.search_text); END",
    "INSERT INTO directory_service_fts(directory_service_fts) VALUES ('rebuild')",
]
PG_INDEX = "directory_service_search_english"

DEFAULT_RELATED_WORDS = [
    ("lonely", ["befriending", "friendship", "social", "coffee morning", "company"]),
    ("loneliness", ["befriending", "friendship", "social", "coffee morning", "company"]),
    ("isolated", ["befriending", "friendship", "social", "company"]),
    ("friends", ["befriending", "friendship", "social", "coffee morning"]),
    ("company", ["befriending", "friendship", "social", "coffee morning"]),
    ("someone to talk to", ["befriending", "listening", "talking", "peer support", "chat"]),
    ("talk", ["listening", "befriending", "chat", "talking"]),
    ("food bank", ["food parcels", "pantry", "food club", "emergency food"]),
    ("food", ["lunch", "meal", "pantry", "food parcels", "cafe"]),
    ("hungry", ["food parcels", "pantry", "meal", "lunch", "food bank"]),
    ("meal", ["lunch", "dinner", "food"]),
    ("dinner", ["lunch", "meal"]),
    ("bills", ["debt", "benefits", "money advice", "energy", "budgeting"]),
    ("help with bills", ["debt advice", "benefits", "money advice", "energy", "budgeting"]),
    ("money", ["debt", "benefits", "budgeting", "financial"]),
    ("debt", ["money advice", "benefits", "budgeting", "bills"]),
    ("benefits", ["welfare rights", "money advice", "universal credit"]),
    ("heating", ["energy", "warm space", "fuel"]),
    ("cold", ["warm space", "energy", "heating"]),
    ("exercise", ["fitness", "walking", "chair-based", "dance", "keep fit", "yoga"]),
    ("keep fit", ["exercise", "fitness", "chair-based", "dance"]),
    ("walk", ["walking", "ramble", "health walk"]),
    ("singing", ["choir", "music", "song"]),
    ("music", ["choir", "singing", "band"]),
    ("crafts", ["knitting", "sewing", "crochet", "art"]),
    ("sewing", ["knitting", "crochet", "craft"]),
    ("english", ["esol", "english language", "conversation"]),
    ("english lessons", ["esol", "english language", "conversation"]),
    ("computer", ["digital", "online", "internet", "tablet", "laptop"]),
    ("internet", ["digital", "online", "computer"]),
    ("online", ["digital", "internet", "computer"]),
    ("grief", ["bereavement", "loss", "grieving"]),
    ("died", ["bereavement", "grief", "loss"]),
    ("loss", ["bereavement", "grief"]),
    ("caring", ["carers", "carer"]),
    ("looking after", ["carers", "carer"]),
    ("dementia", ["memory", "alzheimer"]),
    ("memory", ["dementia", "alzheimer"]),
    ("depression", ["mental health", "wellbeing", "talking therapies", "peer support"]),
    ("anxiety", ["mental health", "wellbeing", "talking therapies", "peer support"]),
    ("stress", ["mental health", "wellbeing", "peer support"]),
    ("low mood", ["mental health", "wellbeing", "talking therapies"]),
    ("woodwork", ["men's shed", "repair"]),
    ("job", ["employment", "work", "cv", "volunteering"]),
    ("work", ["employment", "job", "cv", "volunteering"]),
    ("volunteer", ["volunteering", "volunteers"]),
    ("housing", ["homeless", "tenancy", "landlord", "repairs"]),
    ("homeless", ["housing", "shelter", "rough sleeping"]),
    ("kids", ["children", "families", "play", "parents"]),
    ("children", ["families", "play", "parents", "toddler"]),
    ("baby", ["toddler", "parents", "families"]),
    ("older people", ["over 50", "over 60", "elderly", "retired"]),
    ("elderly", ["older people", "over 60", "retired"]),
    ("garden", ["gardening", "allotment", "growing"]),
    ("church", ["faith", "chapel", "mosque", "worship"]),
    ("drink", ["alcohol", "recovery"]),
    ("drugs", ["substance", "recovery"]),
]


def stemming(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in FTS_CREATE:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON directory_service "
            "USING gin (to_tsvector('english'::regconfig, search_text))"
        )


def no_stemming(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    # SQLite keeps the porter index: it finds everything the plain one did.


def seed(apps, schema_editor):
    Place = apps.get_model("tenancy", "Place")
    RelatedWords = apps.get_model("directory", "RelatedWords")
    RelatedWords.objects.bulk_create(
        [
            RelatedWords(place=place, phrase=phrase, related=related)
            for place in Place.objects.all()
            for phrase, related in DEFAULT_RELATED_WORDS
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0010_postcodes"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RelatedWords",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("phrase", models.CharField(max_length=100)),
                (
                    "related",
                    models.JSONField(default=list, help_text="The related words or phrases."),
                ),
                (
                    "place",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.place",
                    ),
                ),
            ],
            options={
                "ordering": ["phrase"],
                "constraints": [
                    models.UniqueConstraint(fields=("place", "phrase"), name="relatedwords_unique")
                ],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(stemming, no_stemming, elidable=False),
    ]
