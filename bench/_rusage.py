"""Run a Python script in this process and report its CPU time and peak RSS at exit.

Used by bench/common.py when GNU time is not installed:
    python bench/_rusage.py REPORT.json SCRIPT [ARGS...]
writes {"cpu": user+sys seconds, "max_rss_kb": ru_maxrss} to REPORT.json and
exits with the script's status.
"""
import json
import os
import resource
import runpy
import sys


def main() -> None:
    report, script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    code: object = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
    finally:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open(report, "w") as fh:
            json.dump({"cpu": usage.ru_utime + usage.ru_stime, "max_rss_kb": usage.ru_maxrss}, fh)
    sys.exit(code)


if __name__ == "__main__":
    main()
