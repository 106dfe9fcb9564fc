#!/usr/bin/env python3
"""Briefing archive generator: `python build.py --help` lists the commands."""
import sys

from briefings.cli import main

if __name__ == "__main__":
    sys.exit(main())
