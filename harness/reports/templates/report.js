// The report's filters, diff view and copy buttons. Included into report.html.j2: no
// template syntax in here. The state lives in the form and in the URL's fragment
// (#outcome=failed&dir=...&q=...&view=split), so a filtered view can be linked to.
(() => {
  "use strict";
  const form = document.getElementById("filters");
  const tests = Array.from(document.querySelectorAll("#tests > details.test"));
  const shown = document.getElementById("shown");
  const none = document.querySelector("#tests > .none");
  const defaults = { outcome: "all", dir: "", q: "", view: "unified" };

  function state() {
    const data = new FormData(form);
    const s = {};
    for (const key of Object.keys(defaults)) s[key] = String(data.get(key) ?? defaults[key]);
    s.q = s.q.trim().toLowerCase();
    return s;
  }

  function apply(remember) {
    const s = state();
    let count = 0;
    for (const t of tests) {
      const d = t.dataset;
      const ok = (s.outcome === "all" || d.outcome === s.outcome)
        && (!s.dir || d.dir === s.dir)
        && (!s.q || d.number.startsWith(s.q) || d.search.includes(s.q));
      t.hidden = !ok;
      if (ok) count++;
    }
    shown.textContent = count;
    none.hidden = count > 0;
    document.body.classList.toggle("split", s.view === "split");
    if (remember) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(s)) {
        if (value !== defaults[key]) params.set(key, value);
      }
      const hash = params.toString();
      try {
        history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
      } catch (e) { /* some browsers refuse this for file: pages; the filters still work */ }
    }
  }

  function set(values) {
    for (const [key, value] of Object.entries(values)) {
      const field = form.elements.namedItem(key);
      if (field) field.value = value;
    }
  }

  // A fragment with "=" is a filter state; any other names a test (from a chart's link).
  function fromHash() {
    const hash = decodeURIComponent(location.hash.slice(1));
    if (hash.includes("=")) {
      set({ ...defaults, ...Object.fromEntries(new URLSearchParams(hash)) });
      apply(false);
      return;
    }
    const target = hash && document.getElementById(hash);
    if (target && target.classList.contains("test")) {
      if (target.hidden) { set(defaults); apply(false); }
      target.open = true;
      target.scrollIntoView();
    }
  }

  form.addEventListener("input", () => apply(true));
  form.addEventListener("change", () => apply(true));
  form.addEventListener("submit", (e) => e.preventDefault());
  window.addEventListener("hashchange", fromHash);

  document.addEventListener("click", (e) => {
    const bar = e.target.closest("button.bar[data-dir]");
    if (bar) {
      set({ dir: bar.dataset.dir });
      apply(true);
      form.scrollIntoView();
      return;
    }
    const copy = e.target.closest("button.copy");
    if (copy) {
      const code = copy.previousElementSibling;
      const done = () => { copy.textContent = "copied"; setTimeout(() => { copy.textContent = "copy"; }, 1200); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.textContent).then(done, () => select(code));
      } else {
        select(code);
      }
    }
  });

  function select(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  fromHash();
  apply(false);
})();
