"""Text messages in and out: the provider interface, the inbound front door, STOP/START
(issue 16)."""
