/* The search page: one search box over every part of the site's search index.
 *
 * The build writes the index as several Pagefind bundles ("parts", one language each) and
 * pagefind/manifest.json, which lists them:
 *   {"version": 1, "parts": [{"path": "parts/fr-1a2b/", "language": "fr"}, …], "superseded": ["fr_335bcaf", …]}
 * This script loads Pagefind's JS API from one part (the page's language, else the first) and
 * merges the others into it (mergeIndex: the WebAssembly is fetched once a lane; each part's language
 * decides how the query is split into words, which Chinese, Japanese and Thai need).
 * Pagefind searches every merged part one after the other in one web worker, so a large index
 * (over PARTS_PER_LANE parts) is dealt out to "lanes": more copies of Pagefind, each imported
 * from another part's folder (another module, so another worker) and searched side by side on
 * the reader's cores; their results are merged as Pagefind merges parts (by score, filter
 * counts added up). At 100,000 briefings (53 parts) on two cores, two lanes answered a first
 * query about 23% sooner and a repeated one 37-39% sooner, for 8% more bytes and about 0.2 s more
 * to load; at 7 and 21 parts they were slower to a first query.
 * `superseded` names stale copies of edited or removed briefings still in older parts: they are
 * dropped from every result list before any of their data is fetched, and every count shown is
 * counted without them.
 *
 * The interface is plain HTML built here: a labelled box, a result count announced to screen
 * readers, results ten at a time (data is fetched only for the results shown) and checkbox
 * filters by topic, language and year. A filter's counts are faceted: each value's count is
 * the number of results if it were ticked, given the query and the other filters' choices
 * (values of one filter combine with "or", filters with "and"). Pagefind's own counts include
 * superseded copies: each stale copy among a search's results takes one off the count of
 * every filter value it has (its data, fetched once, lists them).
 * The interface's words come from the template's data attributes (i18n.py).
 *
 * While the reader types, the index chunks for the words so far are fetched (Pagefind's
 * preload), so that the search made after the pause has little or nothing left to fetch.
 *
 * Browsers refuse the index and WebAssembly to pages opened from disk (file://): there, and
 * when the index is missing, the page says so. `search/?q=words` opens with a search made,
 * and the address follows the query as it is typed.
 */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var text = box.dataset;
  var lang = document.documentElement.lang || "en";
  var collator = new Intl.Collator(lang);
  var plural = new Intl.PluralRules(lang);
  var number = new Intl.NumberFormat(lang);
  var FILTERS = [["topic", text.filterTopic], ["author", text.filterAuthor], ["language", text.filterLanguage],
                 ["year", text.filterYear]];
  var PAGE = 10;          // results shown at once, and added by "more results"
  var DEBOUNCE = 200;     // ms after the last key stroke before searching
  var PARTS_PER_LANE = 32; // parts one copy of Pagefind searches before another is worth its load
  var MAX_LANES = 4;       // copies of Pagefind at most, one per core
  var WIDE = "(min-width: 48rem)";  // filters beside the results, not folded (style.css)

  function say(message) {
    var p = element("p", "search-message", message);
    p.setAttribute("role", "status");
    box.replaceChildren(p);
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  if (location.protocol === "file:") {
    say(text.fromDisk);
    return;
  }

  /* The index: the parts dealt out to `lanes` copies of Pagefind, each with its own web worker,
   * and the set of superseded result ids. */
  async function loadIndex() {
    var index = new URL(text.index, location.href);
    var root = new URL(".", new URL(text.root, location.href)).pathname;  // records' URLs are relative to it
    var response = await fetch(new URL("manifest.json", index), {cache: "no-cache"});
    if (!response.ok) throw new Error("no manifest.json");
    var manifest = await response.json();
    var parts = manifest.parts || [];
    if (manifest.version !== 1 || !parts.length) throw new Error("unknown manifest");
    var primary = parts.find(function (p) { return p.language === lang; }) ||
                  parts.find(function (p) { return p.language.split("-")[0] === lang.split("-")[0]; }) || parts[0];
    // Pagefind reads a query with the word rules (stemming) of the part it was loaded from, for every
    // part merged into it: each lane is led by a part in the primary's language where there are enough,
    // so that lanes search side by side and find what one copy of Pagefind would.
    var same = parts.filter(function (p) { return p !== primary && p.language === primary.language; });
    var others = parts.filter(function (p) { return p.language !== primary.language; });
    var ordered = [primary].concat(same, others);
    var count = Math.max(1, Math.min(Math.ceil(ordered.length / PARTS_PER_LANE), MAX_LANES,
                                     navigator.hardwareConcurrency || 1));
    var dealt = [];
    ordered.forEach(function (part, i) { (dealt[i % count] = dealt[i % count] || []).push(part); });
    var lanes = await Promise.all(dealt.map(function (mine) { return loadLane(mine, index, root); }));
    box.dataset.lanes = lanes.length;  // for scripts and tests
    return {lanes: lanes, superseded: new Set(manifest.superseded || [])};
  }

  /* One copy of Pagefind's JS API, imported from the first part's folder (each part carries
   * it: a module of another address is another copy, with a web worker of its own), with
   * the other parts merged in (mergeIndex: each part's language decides how the query is
   * split into words, which Chinese, Japanese and Thai need). */
  async function loadLane(parts, index, root) {
    var at = function (part) { return new URL(part.path, index).pathname; };
    var pagefind = await import(new URL("pagefind.js", new URL(at(parts[0]), index)).href);
    await pagefind.options({baseUrl: root, language: parts[0].language});
    await Promise.all(parts.slice(1).map(function (p) {
      return pagefind.mergeIndex(at(p), {baseUrl: root, language: p.language});
    }));
    await pagefind.filters();  // loads every part's filter chunks: searches count filter values only then
    return pagefind;
  }

  /* A search over every lane at once, merged as Pagefind merges its parts: results by score
   * (a stable sort: equal scores keep the lanes' order), filter counts added up. */
  async function searchAll(query, options) {
    var found = await Promise.all(index.lanes.map(function (pagefind) { return pagefind.search(query, options); }));
    var filters = {};
    found.forEach(function (one) {
      Object.keys(one.filters || {}).forEach(function (key) {
        var sum = filters[key] = filters[key] || {};
        Object.keys(one.filters[key]).forEach(function (value) {
          sum[value] = (sum[value] || 0) + one.filters[key][value];
        });
      });
    });
    var results = [].concat.apply([], found.map(function (one) { return one.results; }));
    results.sort(function (a, b) { return b.score - a.score; });
    return {results: results, filters: filters};
  }

  /* --- the interface ------------------------------------------------------------------ */

  var input = element("input", "search-input");
  input.type = "search";
  input.id = "search-input";
  input.name = "q";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.dir = "auto";  // a query in Hebrew or Arabic is written right to left
  var label = element("label", "search-label", text.label);
  label.htmlFor = input.id;
  var form = element("form", "search-form");
  form.setAttribute("role", "search");
  form.append(label, input);
  /* The filters: beside the results on a wide screen; on a narrow one folded under a toggle that
   * says how many values are ticked, so that the results come first (WIDE matches style.css). */
  var filterBox = element("div", "search-filter-groups");
  var filterToggle = element("summary", "search-filters-toggle", text.filters);
  var filterPanel = element("details", "search-filters");
  filterPanel.append(filterToggle, filterBox);
  filterPanel.hidden = true;
  var wide = window.matchMedia(WIDE);
  filterPanel.open = wide.matches;
  wide.addEventListener("change", function () { if (wide.matches) filterPanel.open = true; });
  var count = element("p", "search-count");
  count.setAttribute("role", "status");
  var list = element("ol", "search-results");
  var more = element("button", "search-more", text.more);
  more.type = "button";
  more.hidden = true;
  var results = element("div", "search-found");
  results.append(count, list, more);
  var body = element("div", "search-body");
  body.append(filterPanel, results);
  box.replaceChildren(form, body);

  var chosen = {topic: new Set(), author: new Set(), language: new Set(), year: new Set()};
  var state = {live: [], shown: 0, run: 0};
  var index = null;
  var timer = 0;

  /* Pagefind's filters for the ticked values, leaving out the filter `except`. */
  function filtersFor(except) {
    var filters = {};
    FILTERS.forEach(function (f) {
      if (f[0] !== except && chosen[f[0]].size) filters[f[0]] = {any: Array.from(chosen[f[0]])};
    });
    return filters;
  }

  function live(response) {
    return response.results.filter(function (r) { return !index.superseded.has(r.id); });
  }

  /* The counts of filter `key`'s values in `response`, superseded copies left out (see top). */
  async function counts(key, response) {
    var found = Object.assign({}, response.filters[key] || {});
    (await staleFilters(response)).forEach(function (filters) {
      (filters[key] || []).forEach(function (value) { if (found[value]) found[value] -= 1; });
    });
    return found;
  }

  var staleData = new WeakMap();

  /* The filter values of each superseded copy among `response`'s results (fetched once per response). */
  function staleFilters(response) {
    if (!staleData.has(response)) {
      var stale = response.results.filter(function (r) { return index.superseded.has(r.id); });
      staleData.set(response, Promise.all(stale.map(function (r) {
        return r.data().then(function (data) { return data.filters || {}; });
      })));
    }
    return staleData.get(response);
  }

  async function search() {
    if (!index) return;  // still loading: the search is made once the index is there
    var query = input.value.trim();
    var run = ++state.run;
    history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname);
    if (!query) {
      box.dataset.query = "";
      state.live = [];
      list.replaceChildren();
      filterBox.replaceChildren();
      filterPanel.hidden = true;
      count.textContent = "";
      more.hidden = true;
      return;
    }
    var response = await searchAll(query, {filters: filtersFor(null)});
    var facets = {};
    for (var i = 0; i < FILTERS.length; i++) {
      var key = FILTERS[i][0];
      var base = chosen[key].size ? await searchAll(query, {filters: filtersFor(key)}) : response;
      facets[key] = await counts(key, base);
    }
    if (run !== state.run) return;  // a newer search started meanwhile
    state.live = live(response);
    state.shown = 0;
    list.replaceChildren();
    showCount(state.live.length);
    showFilters(facets);
    await showMore(false);
    box.dataset.query = query;  // what the results show, and how many searches were shown:
    box.dataset.done = run;     // for scripts and tests that wait for a search to finish
  }

  function showCount(n) {
    var template = n === 0 ? text.none : plural.select(n) === "one" ? text.countOne : text.count;
    count.textContent = template.replace("{n}", number.format(n));
  }

  /* The next PAGE results; `focus` moves the keyboard to the first one added. */
  async function showMore(focus) {
    var run = state.run;
    var next = state.live.slice(state.shown, state.shown + PAGE);
    more.disabled = true;  // a second click before these are shown would fetch them twice
    var data = await Promise.all(next.map(function (r) { return r.data(); }));
    more.disabled = false;
    if (run !== state.run) return;
    var items = data.map(function (d, i) { return resultItem(d, next[i].id); });
    list.append.apply(list, items);
    state.shown += next.length;
    more.hidden = state.shown >= state.live.length;
    if (focus && items.length) items[0].querySelector("a").focus();
  }

  function resultItem(data, id) {
    var item = element("li", "search-result");
    // The record's own language (meta `lang`), else its part's: Pagefind's result ids start with it.
    var itemLang = data.meta.lang || id.split("_")[0];
    if (itemLang && itemLang !== lang) {
      item.lang = itemLang;
      item.dir = "auto";  // Hebrew or Arabic on a left-to-right page reads right to left
    }
    var title = element("h2", "search-result-title");
    var link = element("a", null, data.meta.title || data.url);
    link.href = data.url;
    title.append(link);
    item.append(title);
    if (data.meta.date) {
      var date = element("p", "meta", data.meta.date);  // the date is in the interface's language
      if (item.lang) { date.lang = lang; date.dir = "auto"; }
      item.append(date);
    }
    item.append(excerpt(data.excerpt));
    return item;
  }

  /* The excerpt as text with Pagefind's <mark>s kept: nothing else of it becomes HTML. */
  function excerpt(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = html;
    var p = element("p", "search-excerpt");
    parsed.content.childNodes.forEach(function (node) {
      p.append(node.nodeName === "MARK" ? element("mark", null, node.textContent) : node.textContent);
    });
    return p;
  }

  function showFilters(facets) {
    var focused = document.activeElement;
    var again = focused && focused.dataset && focused.dataset.key ? focused : null;
    var groups = FILTERS.map(function (f) { return filterGroup(f[0], f[1], facets[f[0]]); })
      .filter(Boolean);
    filterBox.replaceChildren.apply(filterBox, groups);
    filterPanel.hidden = !groups.length;
    var ticked = FILTERS.reduce(function (n, f) { return n + chosen[f[0]].size; }, 0);
    filterToggle.textContent = text.filters + (ticked ? " (" + number.format(ticked) + ")" : "");
    if (again) {
      var same = Array.from(filterBox.querySelectorAll("input")).find(function (c) {
        return c.dataset.key === again.dataset.key && c.value === again.value;
      });
      if (same) same.focus();
    }
  }

  /* One filter: its values with a result, and the ticked ones, in the page's language order. */
  function filterGroup(key, name, found) {
    var values = Object.keys(found).filter(function (v) { return found[v] > 0 || chosen[key].has(v); });
    chosen[key].forEach(function (v) { if (!(v in found)) values.push(v); });
    if (!values.length) return null;
    values.sort(key === "year" ? function (a, b) { return collator.compare(b, a); } : collator.compare);
    var group = element("fieldset", "search-filter");
    group.append(element("legend", null, name));
    var ul = element("ul");
    values.forEach(function (value) {
      var tick = element("input");
      tick.type = "checkbox";
      tick.value = value;
      tick.dataset.key = key;
      tick.checked = chosen[key].has(value);
      var label = element("label");
      label.append(tick, " " + value + " ", element("span", "search-filter-count", "(" + number.format(found[value] || 0) + ")"));
      var li = element("li");
      li.append(label);
      ul.append(li);
    });
    group.append(ul);
    return group;
  }

  filterBox.addEventListener("change", function (event) {
    var tick = event.target;
    chosen[tick.dataset.key][tick.checked ? "add" : "delete"](tick.value);
    search();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE);
    var words = input.value.trim();
    if (index && words) {  // fetches the index chunks while the reader types
      index.lanes.forEach(function (pagefind) { pagefind.preload(words); });
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
  more.addEventListener("click", function () { showMore(true); });

  input.value = new URLSearchParams(location.search).get("q") || "";
  input.focus({preventScroll: true});
  loadIndex().then(function (loaded) {
    index = loaded;
    box.dataset.ready = "true";  // for scripts and tests that wait for the index
    if (input.value.trim()) search();
  }, function () { say(text.unavailable); });
})();
