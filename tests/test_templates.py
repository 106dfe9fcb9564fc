"""Templates as a project changes them: one block of the theme overridden by extending the theme's
own template, links by route name, and a wrong route name reported at its line."""
from __future__ import annotations

import re
from pathlib import Path

from briefings import urls
from briefings.theme import THEME_DIR
from helpers import parse_html, run_build_py, write_file

THEME_TEMPLATES = THEME_DIR / "templates"


def _built(new_project, *files: tuple[str, str]) -> Path:
    config = new_project(real_seed=True)
    assert run_build_py(config, "import").code == 0
    for name, text in files:
        write_file(config.parent / "templates" / name, text)
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 0, run.output
    return config.parent / "site"


def test_a_project_base_extends_the_theme_base_and_overrides_one_block(new_project) -> None:
    site = _built(new_project, ("base.html", '{% extends "theme/base.html" %}\n{% block footer %}{{ super() }}'
                                             '<p class="colophon">Fait main</p>{% endblock %}\n'))
    pages = [p for p in site.rglob("*.html") if p.name != "404.html"]
    assert len(pages) >= 8  # home, briefing, topics, a topic, archive, year, month, search
    for page in pages:
        html = parse_html(page)
        footer = html.find("footer")
        assert [p.text for p in footer.find_all("p", "colophon")] == ["Fait main"], page
        assert footer.find("p").find("a"), page  # the theme's footer, kept by super()
        assert html.find("nav").find("a") and html.find("main"), page  # the rest is the theme's base.html
        stylesheets = [link.attrs["href"] for link in html.find_all("link") if link.attrs.get("rel") == "stylesheet"]
        assert len(stylesheets) == 1 and stylesheets[0].endswith("static/style.css"), page


def test_routes_give_the_paths_the_theme_links_to(new_project) -> None:
    site = _built(new_project, ("404.html", '{% extends "theme/404.html" %}\n'
                                            "{% block content %}<ul>"
                                            "<li><a href=\"{{ url_for('topics') }}\">t</a>"
                                            "<li><a href=\"{{ url_for('year', 2023) }}\">y</a>"
                                            "<li><a href=\"{{ url_for('month', 2023, 8) }}\">m</a>"
                                            "<li><a href=\"{{ url_for('topic', 'north-korea') }}\">n</a>"
                                            "<li><a href=\"{{ url_for('static', 'style.css') }}\">s</a>"
                                            "<li><a href=\"{{ absolute_url('feed') }}\">f</a>"
                                            "</ul>{% endblock %}\n"))
    links = [a.attrs["href"] for a in parse_html(site / "404.html").find_all("a") if a.text in "tymnsf"]
    assert [link.removeprefix("/briefings/") for link in links[:5]] == [
        "topics/", "2023/", "2023/08/", "topics/north-korea/", "static/style.css"]
    assert re.fullmatch(r"https?://[^ ]+/briefings/feed\.xml", links[5]), links[5]


def test_an_unknown_route_is_an_error_at_its_line(new_project) -> None:
    config = new_project(real_seed=True)
    assert run_build_py(config, "import").code == 0
    write_file(config.parent / "templates" / "404.html",
               '{% extends "base.html" %}\n{% block content %}\n'
               '<a href="{{ url_for(\'archives\') }}">x</a>\n{% endblock %}\n')
    run = run_build_py(config, "build", "--no-search")
    assert run.code == 1
    assert re.search(r"^templates/404\.html:3: .*no page is named 'archives'", run.stderr, re.M), run.stderr


def test_the_theme_spells_out_no_site_path() -> None:
    """Every link the theme's templates make names a route or a model object: urls.py alone
    knows URL shapes."""
    literal = re.compile(r"""(?:url_for|absolute_url)\(\s*['"]([^'"]*)['"]""")
    found = {(template.name, name) for template in THEME_TEMPLATES.iterdir()
             for name in literal.findall(template.read_text(encoding="utf-8"))}
    assert found and all(name in urls.ROUTES for _, name in found), sorted(found)
