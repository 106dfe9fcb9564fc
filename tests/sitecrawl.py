"""Helpers for end-to-end tests of a built site: a seeded project, a sub-path
HTTP host, and crawlers that follow every link over HTTP or on disk.

Nothing here touches the network beyond 127.0.0.1 or the disk beyond the
folders the tests pass in (their tmp_path).
"""
from __future__ import annotations

import hashlib
import http.server
import mimetypes
import os
import posixpath
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_PY = REPO_ROOT / "build.py"

# --- a project with enough briefings for pagination and several topics ---------

# (date, headline, body paragraphs); the keywords pick the topics.
_STORIES = [
    ("2023-08-14", "La Corée du Nord promet une intensification radicale de sa production de missiles.",
     ["Kim Jong-un a visité des usines d'armement, selon l'agence KCNA.",
      "Pyongyang dénonce les exercices militaires prévus au Sud."]),
    ("2023-08-21", "Séoul et Washington lancent des exercices militaires sous la menace de la Corée du Nord.",
     ["Les manœuvres durent dix jours et mobilisent des milliers de soldats.",
      "Pyongyang parle d'une répétition d'invasion."]),
    ("2023-09-02", "L'Ukraine revendique des avancées sur le front sud.",
     ["Kiev affirme avoir repris plusieurs villages.", "Les munitions restent le principal souci de l'armée."]),
    ("2023-09-15", "L'inflation ralentit en zone euro pour le troisième mois consécutif.",
     ["La banque centrale reste prudente.", "La croissance marque le pas."]),
    ("2023-10-01", "Pékin renforce ses exercices militaires autour de Taïwan.",
     ["La Chine déploie des navires et des avions.", "Xi Jinping appelle à la vigilance."]),
    ("2023-10-12", "Le prix du pétrole bondit après l'annonce de l'OPEP.",
     ["Le gaz suit la même tendance.", "L'énergie pèse sur l'inflation."]),
    ("2023-10", "La Corée du Nord tire un nouveau missile balistique en mer du Japon.",
     ["Le missile a parcouru 600 kilomètres.", "Tokyo proteste officiellement."]),
    ("2023-11-03", "Zelensky demande davantage d'armes à ses alliés occidentaux.",
     ["L'Ukraine manque de défense antiaérienne.", "Les missiles russes visent les infrastructures."]),
    ("2023-11-20", "Les élections en Argentine portent un candidat libertarien au pouvoir.",
     ["Le scrutin a mobilisé une forte participation.", "L'inflation dépasse 140 %."]),
    ("2023-12-05", "La COP28 s'ouvre à Dubaï sur fond de records climatiques.",
     ["Les émissions mondiales continuent d'augmenter.", "Le réchauffement dépasse les prévisions."]),
    ("2023-12-18", "La Corée du Nord teste un missile intercontinental à combustible solide.",
     ["Kim Jong-un supervise le tir.", "Washington condamne un essai déstabilisant."]),
    ("2024-01-09", "Inflation : la banque centrale maintient ses taux inchangés.",
     ["La croissance reste faible en Europe.", "Les marchés anticipent une baisse au printemps."]),
    ("2024-01-22", "L'Ukraine frappe des dépôts de munitions en Crimée.",
     ["Kiev utilise des drones de longue portée.", "L'armée russe reconnaît des dégâts."]),
    ("2024-02-04", "Élection présidentielle : le Salvador reconduit son président.",
     ["Le vote a été massif.", "L'opposition dénonce le scrutin."]),
    ("2024-02-17", "La Chine annonce une hausse de son budget militaire.",
     ["Pékin vise une armée moderne d'ici 2035.", "Les missiles hypersoniques sont une priorité."]),
    ("2024-03", "Le Sahel face à une nouvelle vague de violences.",
     ["Le Mali et le Niger réorganisent leurs alliances.", "L'Afrique de l'Ouest s'inquiète."]),
    ("2024-03-11", "Une cyberattaque paralyse des hôpitaux européens.",
     ["Les services de santé fonctionnent en mode dégradé.", "L'intelligence artificielle aide à la riposte."]),
    ("2024-04-02", "North Korea launches a hypersonic missile, Seoul says.",
     ["The military of South Korea tracked the launch.", "Pyongyang calls it a routine test."]),
    ("2024-04-19", "Ukraine receives new air defence systems from its allies.",
     ["Kyiv says the weapons arrived on time.", "Zelensky thanked partners."]),
    ("2024-05-06", "L'inflation américaine résiste, la Fed temporise.",
     ["La banque centrale attend des signes clairs.", "La croissance reste solide."]),
    ("2024-05-23", "Le climat au cœur des élections européennes.",
     ["Les émissions et le réchauffement divisent les partis.", "Le scrutin aura lieu en juin."]),
    ("2024-06-14", "La Corée du Nord envoie des ballons vers le Sud.",
     ["Séoul suspend un accord militaire.", "Pyongyang parle de représailles."]),
    ("2022", "Bilan d'une année marquée par l'inflation et la guerre en Ukraine.",
     ["L'économie mondiale a ralenti.", "Les prix de l'énergie ont flambé."]),
    # Two briefings with the same headline in the same month: the slugs must differ.
    ("2024-06-20", "Point de situation sur l'Ukraine.",
     ["Les combats se poursuivent dans le Donbass.", "Kiev appelle à l'aide."]),
    ("2024-06-27", "Point de situation sur l'Ukraine.",
     ["La contre-offensive piétine.", "Zelensky remanie son état-major."]),
]


def write_seeds(folder: Path, count: int = 25) -> list[Path]:
    """`count` seed files (format `NNN_<16 hex>.txt`) with varied dates and topics."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(count):
        date, headline, paragraphs = _STORIES[n % len(_STORIES)]
        if n >= len(_STORIES):
            headline = f"{headline[:-1]} (suite {n})."
        hex_id = hashlib.sha256(f"seed-{n}".encode()).hexdigest()[:16]
        path = folder / f"{n:03d}_{hex_id}.txt"
        path.write_text(f" date {date} {headline}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        written.append(path)
    return written


def write_seed(folder: Path, n: int, date: str, headline: str, *paragraphs: str) -> Path:
    """One more seed file, numbered `n`."""
    hex_id = hashlib.sha256(f"extra-{n}".encode()).hexdigest()[:16]
    path = folder / f"{n:03d}_{hex_id}.txt"
    path.write_text(f" date {date} {headline}\n\n" + "\n\n".join(paragraphs or ("Texte.",)) + "\n",
                    encoding="utf-8")
    return path


def write_config(project: Path, *, per_page: int = 5, extra: str = "") -> Path:
    """The repository's config.yaml with `per_page` changed and `extra` YAML lines appended."""
    text = (REPO_ROOT / "config.yaml").read_text(encoding="utf-8")
    lines = [f"per_page: {per_page}" if line.startswith("per_page:") else line for line in text.splitlines()]
    assert any(line == f"per_page: {per_page}" for line in lines), "config.yaml has no per_page line"
    config = project / "config.yaml"
    config.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return config


def run_cli(config: Path, *args: str, env: dict[str, str] | None = None,
            check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python build.py --config CONFIG ARGS…` in a subprocess; `check` asserts exit 0."""
    done = subprocess.run([sys.executable, str(BUILD_PY), "--config", str(config), *args],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=config.parent)
    if check:
        assert done.returncode == 0, f"build.py {' '.join(args)} exited {done.returncode}\n" \
                                     f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def make_project(folder: Path, *, seeds: int = 25, per_page: int = 5, extra_config: str = "") -> Path:
    """A project folder (config.yaml, seeds/, imported content/); returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    config = write_config(folder, per_page=per_page, extra=extra_config)
    write_seeds(folder / "seeds", seeds)
    run_cli(config, "import")
    return config


def copy_project(source: Path, dest: Path) -> Path:
    """A copy of a project folder made by make_project (without site/ and .cache/)."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("site", ".cache"))
    return dest / "config.yaml"


# --- reading HTML -----------------------------------------------------------------


@dataclass
class Ref:
    """One reference found in a page: where, and what it points to."""

    tag: str
    attr: str
    value: str
    rel: str = ""

    def __str__(self) -> str:
        rel = f" rel={self.rel}" if self.rel else ""
        return f"<{self.tag}{rel} {self.attr}={self.value!r}>"


class _RefParser(HTMLParser):
    URL_ATTRS = {"a": ("href",), "link": ("href",), "script": ("src",), "img": ("src", "srcset"),
                 "source": ("src", "srcset"), "iframe": ("src",), "video": ("src", "poster"),
                 "audio": ("src",), "form": ("action",), "area": ("href",), "object": ("data",),
                 "embed": ("src",)}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[Ref] = []
        self.ids: set[str] = set()
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key])
        if tag == "base" and "href" in values:
            self.base = values["href"]
        rel = values.get("rel", "").lower()
        for attr in self.URL_ATTRS.get(tag, ()):
            if attr not in values:
                continue
            if attr == "srcset":
                for candidate in values[attr].split(","):
                    if candidate.strip():
                        self.refs.append(Ref(tag, attr, candidate.split()[0], rel))
            else:
                self.refs.append(Ref(tag, attr, values[attr], rel))

    handle_startendtag = handle_starttag


def parse_html(text: str) -> _RefParser:
    parser = _RefParser()
    parser.feed(text)
    parser.close()
    return parser


def is_canonical(ref: Ref) -> bool:
    return ref.tag == "link" and "canonical" in ref.rel.split()


def _skip_scheme(value: str) -> bool:
    return urlsplit(value).scheme in ("mailto", "tel", "javascript", "data")


# --- an HTTP host that serves the site under a path -------------------------------


class _SubPathHandler(http.server.BaseHTTPRequestHandler):
    """GitHub-Pages-like: `/PREFIX/x/` → `x/index.html`, a folder without `/` → 301, else 404.html."""

    server: SiteServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet tests
        pass

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        self.server.requests.append(self.path)
        path = unquote(urlsplit(self.path).path)
        prefix = self.server.prefix
        root = self.server.root
        if not path.startswith(prefix) or "\x00" in path:
            return self._not_found(body)
        rel = path[len(prefix):]
        parts = [p for p in rel.split("/") if p]
        if any(p in (".", "..") for p in parts):
            return self._not_found(body)
        target = root.joinpath(*parts) if parts else root
        if target.is_dir():
            if rel and not rel.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        if not target.is_file():
            return self._not_found(body)
        self._send(200, target.read_bytes(), _content_type(target.name), body)
        return None

    def _not_found(self, body: bool) -> None:
        page = self.server.root / "404.html"
        data = page.read_bytes() if page.is_file() else b"not found"
        self._send(404, data, "text/html; charset=utf-8", body)

    def _send(self, status: int, data: bytes, ctype: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


def _content_type(name: str) -> str:
    if name.endswith(".xml"):
        return "application/xml; charset=utf-8"
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{ctype}; charset=utf-8" if ctype.startswith("text/") else ctype


class SiteServer(http.server.ThreadingHTTPServer):
    """Serve `root` under `prefix` on 127.0.0.1 (a free port); use as a context manager.

    The port is known as soon as the object exists, so the site can be built
    with its final base_url before anything is requested; `root` may be set
    (or rebuilt) after the server started since files are read per request.
    """

    daemon_threads = True
    request_queue_size = 128
    """The listen backlog (http.server's is 5): a page of search loads a few dozen files at once,
    and on a busy machine a connection dropped from a full backlog is retried only after 1 s,
    3 s…, as a real host's large backlog never makes a browser wait."""

    def __init__(self, root: Path, prefix: str = "/") -> None:
        assert prefix.startswith("/") and prefix.endswith("/"), prefix
        super().__init__(("127.0.0.1", 0), _SubPathHandler)
        self.root = Path(root)
        self.prefix = prefix
        self.requests: list[str] = []
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + self.prefix

    def __enter__(self) -> SiteServer:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join(timeout=5)


# --- fetching without following redirects ----------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# Loopback only: never go through a proxy from the environment; report redirects, don't follow them.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    body: bytes
    location: str | None = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str) -> Response:
    """GET `url`; 4xx/5xx and 3xx are returned, not raised."""
    try:
        with _OPENER.open(url, timeout=10) as resp:
            return Response(url, resp.status, resp.headers.get("Content-Type", ""), resp.read())
    except urllib.error.HTTPError as err:
        body = err.read() if err.fp else b""
        return Response(url, err.code, err.headers.get("Content-Type", ""), body, err.headers.get("Location"))


# --- crawling -------------------------------------------------------------------


@dataclass
class Crawl:
    """What a crawl saw: every fetched URL or file, and every problem."""

    visited: dict[str, int] = field(default_factory=dict)
    """URL (or site-relative file) → HTTP status (200 for files that exist)."""
    failures: list[str] = field(default_factory=list)
    canonicals: dict[str, str] = field(default_factory=dict)
    """page → its canonical URL (not followed)."""
    pages: dict[str, str] = field(default_factory=dict)
    """HTML pages read: URL or file → text."""
    refs_seen: int = 0

    def report(self) -> str:
        shown = self.failures[:40]
        more = f"\n… and {len(self.failures) - 40} more" if len(self.failures) > 40 else ""
        return "\n".join(shown) + more


def _fragment_ok(fragment: str, ids: set[str]) -> bool:
    return not fragment or unquote(fragment) in ids


def crawl_http(start: str, prefix: str) -> Crawl:
    """Follow every same-origin reference from `start`; each must be 200 and stay under `prefix`.

    Canonical links are not followed (they are absolute by design, pointing at
    base_url) but recorded. Fragments must name an id in the target page.
    """
    origin = urlsplit(start)
    crawl = Crawl()
    queue: deque[tuple[str, str, str]] = deque([(start, "(start)", "")])
    pending_fragments: list[tuple[str, str, str]] = []  # (page url, fragment, from)
    ids_of: dict[str, set[str]] = {}
    seen = {start}
    while queue:
        url, source, _ = queue.popleft()
        parts = urlsplit(url)
        if not parts.path.startswith(prefix):
            crawl.failures.append(f"{source}: {url} escapes {prefix}")
            continue
        resp = fetch(url)
        crawl.visited[url] = resp.status
        if resp.status != 200:
            extra = f" → {resp.location}" if resp.location else ""
            crawl.failures.append(f"{source}: {url} answered {resp.status}{extra}")
            continue
        if not resp.content_type.startswith("text/html"):
            continue
        text = resp.text
        crawl.pages[url] = text
        parsed = parse_html(text)
        ids_of[url] = parsed.ids
        if parsed.base:
            crawl.failures.append(f"{url}: has <base href={parsed.base!r}>, which breaks relative links")
        for ref in parsed.refs:
            crawl.refs_seen += 1
            if _skip_scheme(ref.value):
                continue
            if is_canonical(ref):
                crawl.canonicals[url] = ref.value
                continue
            target, fragment = urldefrag(urljoin(url, ref.value))
            tparts = urlsplit(target)
            if (tparts.scheme, tparts.netloc) != (origin.scheme, origin.netloc):
                crawl.failures.append(f"{url}: {ref} leaves the site ({target})")
                continue
            if fragment:
                pending_fragments.append((target, fragment, f"{url}: {ref}"))
            if target not in seen:
                seen.add(target)
                queue.append((target, f"{url}: {ref}", ""))
    for target, fragment, source in pending_fragments:
        if target in ids_of and not _fragment_ok(fragment, ids_of[target]):
            crawl.failures.append(f"{source}: no id {fragment!r} in {target}")
    return crawl


def crawl_files(site: Path, start: str = "index.html") -> Crawl:
    """Follow every reference from `start` on disk, as `file://` would.

    Each href/src is resolved against the page's folder and must be an existing
    FILE inside `site` (a folder does not open its index.html from disk); a
    root-relative or absolute http link is a failure, except the canonical link.
    """
    site = site.resolve()
    crawl = Crawl()
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen = {start}
    ids_of: dict[str, set[str]] = {}
    pending_fragments: list[tuple[str, str, str]] = []
    while queue:
        rel, source = queue.popleft()
        path = site / rel
        if path.is_dir():
            crawl.visited[rel] = 0
            crawl.failures.append(f"{source}: {rel} is a folder, not a file (file:// shows a listing or nothing)")
            continue
        if not path.is_file():
            crawl.visited[rel] = 404
            crawl.failures.append(f"{source}: {rel} does not exist")
            continue
        crawl.visited[rel] = 200
        if not rel.endswith(".html"):
            continue
        text = path.read_text(encoding="utf-8")
        crawl.pages[rel] = text
        parsed = parse_html(text)
        ids_of[rel] = parsed.ids
        if parsed.base:
            crawl.failures.append(f"{rel}: has <base href={parsed.base!r}>")
        for ref in parsed.refs:
            crawl.refs_seen += 1
            if _skip_scheme(ref.value):
                continue
            if is_canonical(ref):
                crawl.canonicals[rel] = ref.value
                continue
            where = f"{rel}: {ref}"
            value, fragment = urldefrag(ref.value)
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                crawl.failures.append(f"{where} is absolute; from disk it leaves the site")
                continue
            if parts.path.startswith("/"):
                crawl.failures.append(f"{where} is root-relative; from disk it points at the file system root")
                continue
            if parts.query:
                crawl.failures.append(f"{where} has a query string, which file:// does not ignore")
                continue
            if not parts.path:  # "#main": this page
                target = rel
            else:
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
                if joined == ".." or joined.startswith("../") or joined == ".":
                    crawl.failures.append(f"{where} escapes the site folder ({joined})")
                    continue
                if parts.path.endswith("/"):
                    crawl.failures.append(f"{where} names a folder; from disk it must name index.html")
                    continue
                target = joined
            if fragment:
                pending_fragments.append((target, fragment, where))
            if target not in seen:
                seen.add(target)
                queue.append((target, where))
    for target, fragment, source in pending_fragments:
        if target in ids_of and not _fragment_ok(fragment, ids_of[target]):
            crawl.failures.append(f"{source}: no id {fragment!r} in {target}")
    return crawl


def html_files(site: Path) -> set[str]:
    """Every HTML page of a built site, site-relative."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def page_for_url(site: Path, base_url: str, url: str) -> Path | None:
    """The file that serves `url` (an absolute URL under base_url), or None if it is not under it."""
    if not url.startswith(base_url):
        return None
    rel = unquote(urlsplit(url).path)[len(urlsplit(base_url).path):]
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return site / rel


def dir_snapshot(root: Path, skip: tuple[str, ...] = (".git",)) -> dict[str, str]:
    """relative path → sha256 of every file under root, skipping top-level names in `skip`."""
    snap = {}
    for folder, dirs, names in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in skip]
        for name in names:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if Path(folder) == root and name in skip:
                continue
            snap[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return snap
