"""The kernel: small shared machinery that imports no Commonweave app.

Apps build on it; it builds on Django, the standard library and, for the API toolkit in
core/api/, django-ninja and pydantic.
"""
