"""How many text messages (SMS segments) a body takes.

A text in the GSM 03.38 alphabet (GSM-7) holds 160 characters; a longer one is split into
parts of 153. The characters of the GSM extension table (such as € [ ] { } ^ ~ \\ |) count
twice. Any other character (an emoji, a curly quote, most accents) sends the whole message
as UCS-2: 70 characters, or parts of 67. UCS-2 counts UTF-16 code units, so an emoji
outside the Basic Multilingual Plane counts twice too.
"""

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # characters as the network counts them
    count: int  # texts it is sent as (0 for an empty body)

    @property
    def single(self) -> bool:
        return self.count <= 1


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> Segments:
    """The encoding, length and number of texts `text` is sent as."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    if units == 0:
        return Segments(encoding, 0, 0)
    if units <= single:
        return Segments(encoding, units, 1)
    return Segments(encoding, units, -(-units // part))


def first_non_gsm7(text: str) -> str:
    """The first character that forces UCS-2, or "" (to tell an editor what to change)."""
    return next((ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION), "")
