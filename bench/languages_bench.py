"""`python -m bench languages [--repeat 50]`: language detection on the multilingual corpus.

Prints, for each briefing of tests/fixtures/multilingual/, the language the import
detects with its probability and the time the model takes for it (the median of
`repeat` runs), then the accuracy, the time the model takes to load (from the wheel,
and from the unpacked copy import keeps in .cache/), and the cost a seed on the
synthetic French and English corpus the build benchmark uses.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import markdown_table
from bench.corpus import make_briefing

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "multilingual"
EXPECTED_LANGUAGE = {"001": "en", "002": "fr", "003": "de", "004": "es", "005": "pt", "006": "ru", "007": "uk",
                     "008": "ar", "009": "fa", "010": "he", "011": "hi", "012": "zh", "013": "ja", "014": "ko",
                     "015": "th", "016": "el"}


def timed(function, repeat: int) -> float:
    """Median seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench languages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="runs of each detection (default 50)")
    args = parser.parse_args(argv)
    from briefings import language
    from briefings.seeds import parse_seed
    with tempfile.TemporaryDirectory() as cache:
        cold = timed(lambda: (language._LOADED.clear(), language.preload(Path(cache))), 1)
        warm = timed(lambda: (language._LOADED.clear(), language.preload(Path(cache))), 3)
    rows, right = [], 0
    for path in sorted(FIXTURES.glob("*.txt")):
        seed = parse_seed(path, path.read_bytes())
        text = seed.title + "\n" + seed.body_text
        code, sure = language.detect_language(text, "und")
        sample = text[:language.SAMPLE + text.find("\n") + 1]
        probability = language._identifier().classify(sample)[1]
        cost = timed(lambda text=text: language.detect_language(text, "und"), args.repeat)
        expected = EXPECTED_LANGUAGE[path.name[:3]]
        right += code == expected
        rows.append([path.name[:3], expected, code, f"{probability:.3f}", "yes" if sure else "no",
                     f"{cost * 1e6:.0f} µs"])
    print(markdown_table(["seed", "language", "detected", "probability", "sure", "time"], rows))
    texts = [make_briefing(index).text().split(" ", 3)[3] for index in range(300)]  # after ` date X`
    per_seed = timed(lambda: [language.detect_language(t, "fr") for t in texts], 3) / len(texts)
    print(f"\naccuracy: {right}/{len(rows)}; model load: {cold:.2f} s from the wheel, {warm:.2f} s from .cache/; "
          f"synthetic French/English corpus: {per_seed * 1e6:.0f} µs a seed")
    return 0
