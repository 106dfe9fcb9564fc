"""Briefings: a static site generator for archives of briefings.

Data flows one way: seeds -> content -> model -> pages -> files.
"""
