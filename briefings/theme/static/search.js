/* The search page: loads Pagefind's UI from the index that `build` writes to pagefind/.
 *
 * The index is found relative to this page (data-bundle, written by url_for), so the
 * search works at a domain root and under any sub-path. Pagefind fetches its index and
 * WebAssembly, which browsers refuse on pages opened from disk (file://): there, and
 * when the index is missing, the page says so instead of failing silently.
 * `search/?q=words` opens with a search already made.
 */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;

  function say(text) {
    var p = document.createElement("p");
    p.className = "search-message";
    p.setAttribute("role", "status");
    p.textContent = text;
    box.replaceChildren(p);
  }

  // Pagefind's box has only a placeholder; a visible label names it for everyone.
  function label(input) {
    if (!input) return;
    input.id = input.id || "search-input";
    var text = document.createElement("label");
    text.className = "search-label";
    text.htmlFor = input.id;
    text.textContent = box.dataset.label;
    box.insertBefore(text, box.firstChild);
    input.focus({preventScroll: true});
  }

  if (location.protocol === "file:") {
    say(box.dataset.fromDisk);
    return;
  }

  var bundle = new URL(box.dataset.bundle, location.href);
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("pagefind-ui.css", bundle).href;
  document.head.appendChild(css);

  var script = document.createElement("script");
  script.src = new URL("pagefind-ui.js", bundle).href;
  script.onerror = function () { say(box.dataset.unavailable); };
  script.onload = function () {
    if (typeof window.PagefindUI !== "function") { say(box.dataset.unavailable); return; }
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle.pathname,
      showImages: false,
      showSubResults: false,
      excerptLength: 30,
      resetStyles: true,
      openFilters: [box.dataset.openFilters]
    });
    label(box.querySelector("input.pagefind-ui__search-input"));
    var query = new URLSearchParams(location.search).get("q");
    if (query) ui.triggerSearch(query);
  };
  document.head.appendChild(script);
})();
