"""`python -m bench [build options]` or `python -m bench latency [options]`.

  python -m bench                          build benchmark, N = 1,000 and 10,000, 3 runs
  python -m bench --sizes 1000,10000,100000 --runs 3
  python -m bench latency [--sizes 1000]   live-reload latency in headless Chromium
  python -m bench import [--sizes 10000] [--runs 3] [--against DIR]   `build.py import` alone
  python -m bench languages               language detection: accuracy and cost on the multilingual corpus
  python -m bench floor [--sizes 10000]    the least a Python generator can do: YAML, Markdown, one template
  python -m bench burst [--levels 20,50,200]  20, 50, 200 simultaneous requests to `build.py serve`
  python -m bench search [--sizes 10000]   search in headless Chromium: bytes and time per query
  python -m bench.corpus OUT N             just write a synthetic corpus
"""
import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["latency"]:
        from bench.latency import main as latency
        return latency(argv[1:])
    if argv[:1] == ["import"]:
        from bench.import_bench import main as import_bench
        return import_bench(argv[1:])
    if argv[:1] == ["languages"]:
        from bench.languages_bench import main as languages_bench
        return languages_bench(argv[1:])
    if argv[:1] == ["floor"]:
        from bench.floor import main as floor
        return floor(argv[1:])
    if argv[:1] == ["burst"]:
        from bench.burst import main as burst
        return burst(argv[1:])
    if argv[:1] == ["search"]:
        from bench.search_bench import main as search
        return search(argv[1:])
    if argv[:1] == ["build"]:
        argv = argv[1:]
    from bench.build_bench import main as build
    return build(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
