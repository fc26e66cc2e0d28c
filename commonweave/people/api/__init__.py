"""The resident and referral endpoints of the JSON API (mounted in commonweave/api/urls.py):
the same selectors, services and access rules as the pages."""
