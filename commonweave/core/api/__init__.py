"""The JSON API's shared toolkit: how every endpoint says no (errors.py), one page of a
list (pagination.py) and the schema types every app's endpoints build on (schemas.py).

The NinjaAPI instance and the mounting of each app's router are in commonweave/api/.
"""
