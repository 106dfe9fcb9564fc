#!/usr/bin/env python3
"""Briefing archive generator: `python build.py --help` lists the commands."""
import os
import sys

from briefings.cli import main

if __name__ == "__main__":
    code = main()
    # Exit without the interpreter's teardown, which frees a large archive's model object by
    # object (0.2 s of a 1 s rebuild at 10,000 briefings). Nothing is left to clean up here:
    # every command closes its files, worker pools and temporary folders before main returns.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
