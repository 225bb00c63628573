"""Benchmarks: `python -m bench` fills a fresh database with demo data and prints JSON figures."""
