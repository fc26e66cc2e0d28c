"""Benchmarks on generated data: `python -m bench` (or `make bench`).

Generates the demo place at 5,000 and 50,000 residents in a throwaway database, then
times the pages people use most with Django's in-process test client and counts their
queries. Prints one JSON object per line; see bench/run.py.
"""
