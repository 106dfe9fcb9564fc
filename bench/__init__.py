"""Benchmarks for the briefings engine: synthetic corpora and timing runs."""
