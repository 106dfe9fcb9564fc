"""plan.paginate: listings split into pages numbered from the oldest, so a page keeps its briefings."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefings.plan import paginate


def path_of(number: int | None) -> str:
    return "index.html" if number is None else f"page/{number}/index.html"


def pages(total: int, per_page: int) -> list:
    newest_first = tuple(range(total, 0, -1))  # briefing n is the n-th oldest
    return list(paginate(newest_first, per_page, path_of))


@given(st.integers(0, 200), st.integers(1, 25))
def test_every_briefing_is_on_one_page_newest_first(total: int, per_page: int) -> None:
    found = pages(total, per_page)
    assert [b for chunk, _, _ in found for b in chunk] == list(range(total, 0, -1))
    assert found[0][2] == "index.html" and found[0][1].previous is None
    assert [p.number for _, p, _ in found] == list(range(len(found), 0, -1))
    assert all(len(chunk) == per_page for chunk, _, _ in found[1:])
    assert len(found[0][0]) == total if total < per_page else per_page <= len(found[0][0]) < 2 * per_page


@given(st.integers(0, 200), st.integers(1, 25))
def test_links_walk_the_pages_in_order(total: int, per_page: int) -> None:
    found = pages(total, per_page)
    paths = [path for _, _, path in found]
    assert [p.next for _, p, _ in found] == paths[1:] + [None]
    assert [p.previous for _, p, _ in found] == [None] + paths[:-1]


@given(st.integers(0, 200), st.integers(1, 25), st.integers(1, 30))
def test_older_pages_keep_their_briefings_as_briefings_are_added(total: int, per_page: int, added: int) -> None:
    before = {path: chunk for chunk, _, path in pages(total, per_page)[1:]}
    after = {path: chunk for chunk, _, path in pages(total + added, per_page)}
    assert all(after[path] == chunk for path, chunk in before.items())
