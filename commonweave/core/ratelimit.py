"""The one rate limiter: fixed windows counted in the cache that every process shares.

    from commonweave.core import net, ratelimit

    if not ratelimit.hit("public-referral", net.client_key(request), limit=10, window=3600):
        ...  # refuse politely (429)

Counts live in the "shared" cache (settings.CACHES): Redis when REDIS_URL is set, else a
table in the database. Never a per-process memory cache: with two web workers each would
count alone and let twice the limit through.

Each hit is one `add` (create the window's counter at 0 if it is not there) and one
`incr`, both atomic in Redis and in our database cache (commonweave.core.cache), so two
processes counting at the same moment never lose a count. If the counter disappears
between the two (it expired, or the cache evicted it), the hit starts it again rather
than failing or being let through uncounted.

Only a keyed hash of what is counted (e.g. an address) is stored, never the value itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

CACHE_ALIAS = "shared"
# A counter can vanish between add and incr only by expiring or being evicted at that
# instant; twice in a row means the cache is not keeping anything.
ATTEMPTS = 3


def _cache_key(scope: str, key: str, window: int, now: float) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}\0{key}".encode(), hashlib.sha256
    ).hexdigest()
    return f"ratelimit:{scope}:{digest}:{int(now // window)}"


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit for `key` in `scope`; True while this window has seen at most
    `limit` hits (this one included), False once it is over.

    scope: what is limited ("public-referral"); key: who is counted (net.client_key);
    window: its length in seconds (windows start at multiples of it).
    """
    cache = caches[CACHE_ALIAS]
    cache_key = _cache_key(scope, key, window, time.time())
    for _attempt in range(ATTEMPTS):
        cache.add(cache_key, 0, timeout=window)
        try:
            count = cache.incr(cache_key)
        except ValueError:
            # Gone between add and incr (expired or evicted): create it again and count.
            continue
        return count <= limit
    # The cache is dropping everything; refusing every visitor would be worse than not
    # limiting them, and the log says so.
    logger.warning("Rate limit %s could not be counted: the cache keeps nothing", scope)
    return True
