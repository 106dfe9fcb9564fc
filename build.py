#!/usr/bin/env python3
"""Briefing archive generator: `python build.py --help` lists the commands."""
from briefings.__main__ import run

if __name__ == "__main__":
    run()
