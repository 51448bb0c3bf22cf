"""Benchmarks: `python -m benchmarks [area ...]` (or `make bench`). Each prints its figures."""
