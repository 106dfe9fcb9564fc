"""Related briefings chosen again only near a change are the ones a full choice gives."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefings import archive as archive_module
from briefings.archive import build_archive, related_memo
from briefings.config import load_config
from briefings.content import Briefing
from briefings.dates import BriefingDate
from helpers import REAL_CONFIG

CONFIG = load_config(REAL_CONFIG)
TOPICS = ["defence", "china", "economy", "energy"]


def day_date(day: int) -> BriefingDate:
    """The `day`-th day of a calendar of 28-day months from 2020 (many briefings share a day)."""
    return BriefingDate(2020 + day // 336, 1 + day // 28 % 12, 1 + day % 28)


def briefing(name: str, day: int | BriefingDate, topics: tuple[str, ...]) -> Briefing:
    date = day if isinstance(day, BriefingDate) else day_date(day)
    return Briefing(file=f"content/{name}.md", slug=name, title=name, date=date, topics=topics, lang="en",
                    summary="", id=name, source="", body_line=1, words=10)


briefing_specs = st.tuples(st.integers(0, 400), st.lists(st.sampled_from(TOPICS), min_size=1, max_size=3, unique=True))
changes = st.lists(st.tuples(st.sampled_from(["add", "remove", "redate", "retopic"]), st.integers(0, 10_000),
                             briefing_specs), min_size=1, max_size=4)


def changed(briefings: list[Briefing], edits) -> list[Briefing]:
    result = list(briefings)
    for n, (kind, index, (day, topics)) in enumerate(edits):
        if kind == "add" or not result:
            result.append(briefing(f"added-{n}", day, tuple(topics)))
            continue
        old = result[index % len(result)]
        if kind == "remove":
            result.remove(old)
        elif kind == "redate":
            result[result.index(old)] = briefing(old.slug, day, old.topics)
        else:
            result[result.index(old)] = briefing(old.slug, old.date, tuple(topics))
    return result


def related_paths(archive) -> dict[str, tuple[str, ...]]:
    return {path: tuple(b.path for b in items) for path, items in archive.related.items()}


@settings(max_examples=150, deadline=None)
@given(st.lists(briefing_specs, min_size=1, max_size=60), changes)
def test_related_chosen_near_changes_equal_a_full_choice(specs, edits) -> None:
    before = [briefing(f"b{i}", day, tuple(topics)) for i, (day, topics) in enumerate(specs)]
    memo = related_memo(build_archive(before, CONFIG), CONFIG.related)
    after = changed(before, edits)
    incremental = build_archive(after, CONFIG, memo)
    full = build_archive(after, CONFIG)
    assert related_paths(incremental) == related_paths(full)
    assert list(incremental.related) == list(full.related)


def test_adding_one_briefing_chooses_again_only_near_it(monkeypatch) -> None:
    before = [briefing(f"b{i}", i, (TOPICS[i % 2],)) for i in range(200)]
    memo = related_memo(build_archive(before, CONFIG), CONFIG.related)
    chosen: list[int] = []
    real = archive_module._related
    monkeypatch.setattr(archive_module, "_related",
                        lambda ordered, by_topic, count, chosen_for: chosen.append(len(chosen_for))
                        or real(ordered, by_topic, count, chosen_for))
    build_archive([*before, briefing("new", 250, ("defence",))], CONFIG, memo)
    assert chosen and chosen[0] <= 2 * archive_module.RELATED_WINDOW + 1
