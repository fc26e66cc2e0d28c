"""Gunicorn's settings for Commonweave, read automatically from the working directory.

Only what keeps personal data out of logs lives here; workers, bind address and the like
stay on the command line (see README). The access log is off unless you turn it on
(--access-logfile -); when it is on, query-string values (postcodes typed into the public
directory's "near me", search words) are dropped from it and from Referer fields.
"""

logger_class = "commonweave.core.logs.GunicornLogger"
