// The concept map: cytoscape.js (vendored by build.sh) over /v1/graph, /v1/concepts and /v1/path.
// The graph on screen grows as the reader explores: search, neighbours, paths and answers add to it.
import { ApiError, api, getLang, h, names, present, t } from "./ui.js";

const OVERVIEW_LIMIT = 80;
const NEIGHBOUR_LIMIT = 40;
const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f", "#edc948", "#ff9da7"];

/** A stable colour per relation type: the same type is the same colour in every session. */
function colour(type) {
  let hash = 0;
  for (const ch of type) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

function nodeLabel(c) {
  const en = c.label || "", zh = c.label_zh || "";
  if (!zh || zh === en) return en || zh;
  return getLang() === "zh" ? `${zh}\n${en}` : `${en}\n${zh}`;
}

const edgeId = (e) => `${e.source}|${e.type}|${e.target}`;

const DEFINES = /^\s*(（[^）]*）|\([^)]*\))?\s*(是|指|就是|即|:|：|is |are |refers )/i;
const SENTENCE_END = /[。！？!?\n]/;

/** The sentence of ``text`` around ``[at, at + length)``: from the previous sentence end to the next (kept). */
function sentenceAround(text, at, length) {
  let s = at;
  while (s > 0 && !SENTENCE_END.test(text[s - 1]) && at - s < 200) s--;
  let e = at + length;
  while (e < text.length && !SENTENCE_END.test(text[e]) && e - at < 300) e++;
  if (e < text.length && text[e] !== "\n") e++;
  return [s, e];
}

/**
 * The sentence that best defines a concept among the chunks mentioning it: "X（…）是…" / "X is…" first, then a
 * mention in a section named after it, then any mention; questions and headings last. Offsets are the document's.
 * {label_zh: "量化", chunks: [{text: "一、量化\n量化是把…。", start: 100, …}]} -> {text: "量化是把…。", start: 105, …}
 */
export function definingSentence(c) {
  const names = [c.label_zh, c.label, ...(c.aliases || [])].filter(Boolean).map((n) => n.toLowerCase());
  let best = null;
  for (const chunk of c.chunks || []) {
    const lower = chunk.text.toLowerCase();
    for (const name of names) {
      for (let at = lower.indexOf(name); at >= 0; at = lower.indexOf(name, at + 1)) {
        const [s, e] = sentenceAround(chunk.text, at, name.length);
        const sentence = chunk.text.slice(s, e).trim();
        const after = chunk.text.slice(at + name.length, at + name.length + 16);
        const score = /[？?]$/.test(sentence) || sentence.startsWith("#") ? 0
          : DEFINES.test(after) && !/^\s*是(什么|啥)/.test(after) ? 3
            : (chunk.section || "").toLowerCase().includes(name) ? 2 : 1;
        if (!best || score > best.score) best = { chunk, at, length: name.length, s, e, score };
      }
    }
  }
  if (!best) return null;
  const { chunk, at, length, s, e } = best;
  return { chunk, text: chunk.text.slice(s, e), mention: [at - s, at - s + length], start: chunk.start + s, end: chunk.start + e };
}

const STYLE = [
  { selector: "node", style: {
    label: "data(display)", "text-wrap": "wrap", "text-max-width": "120px", "font-size": 11, "min-zoomed-font-size": 5,
    color: "#1f2933",
    "text-valign": "bottom", "text-margin-y": 3, "background-color": "#7b8ea8",
    width: "mapData(degree, 0, 30, 14, 40)", height: "mapData(degree, 0, 30, 14, 40)",
    "text-background-color": "#fff", "text-background-opacity": 0.7, "text-background-padding": 1 } },
  { selector: "edge", style: {
    width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.8,
    "line-color": "data(colour)", "target-arrow-color": "data(colour)", opacity: 0.7,
    label: "data(type)", "font-size": 8, "min-zoomed-font-size": 9, color: "#52606d", "text-rotation": "autorotate",
    "text-background-color": "#fff", "text-background-opacity": 0.8 } },
  // co-occurrence links are the weakest evidence: drawn faint so the typed relations stand out
  { selector: "edge[type = 'related']", style: { "line-style": "dashed", opacity: 0.35 } },
  { selector: "edge.hidden-type", style: { display: "none" } },
  { selector: "node.answer", style: { "background-color": "#f5b700", "border-width": 3, "border-color": "#b38600" } },
  { selector: "node.on-path", style: { "background-color": "#e15759", "border-width": 3, "border-color": "#8f1d21" } },
  { selector: "edge.on-path", style: { width: 4, opacity: 1, "line-color": "#e15759", "target-arrow-color": "#e15759" } },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#1c64f2" } },
  { selector: "edge:selected", style: { width: 4, opacity: 1 } },
];

export class ConceptMap {
  constructor(container, { ask, openDocument }) {
    this.container = container;
    this.ask = ask;
    this.openDocument = openDocument;
    this.hiddenTypes = new Set();
    this.panel = document.getElementById("panel");
    this.panelBody = document.getElementById("panel-body");
    this.cy = null;
  }

  start() {
    document.getElementById("panel-close").addEventListener("click", () => this.setPanel(false));
    this.wireSearch();
    this.wirePath();
    document.getElementById("reset-map").addEventListener("click", () => this.reset());
    if (typeof window.cytoscape !== "function") {
      this.container.replaceChildren(h("p", { class: "error", "data-testid": "graph-error" }, t("libMissing")));
      return;
    }
    this.cy = window.cytoscape({ container: this.container, style: STYLE, minZoom: 0.1, maxZoom: 4 });
    this.cy.on("tap", "node", (ev) => this.showConcept(ev.target.id()));
    this.cy.on("tap", "edge", (ev) => this.showEdge(ev.target.data()));
    this.loadOverview();
  }

  async loadOverview() {
    try {
      this.merge(await api(`/v1/graph?limit=${OVERVIEW_LIMIT}`));
    } catch (e) {
      this.container.dataset.error = e.message;
    }
    this.layout(true);
  }

  reset() {
    if (!this.cy) return;
    this.cy.elements().remove();
    this.setPanel(false);
    this.loadOverview();
  }

  /** Adds the nodes and edges of a /v1/graph or /v1/path answer that are not on screen yet; returns how many. */
  merge(graph, near = null) {
    if (!this.cy) return 0;
    const origin = near && this.cy.getElementById(near).nonempty() ? this.cy.getElementById(near).position() : null;
    const added = [];
    (graph.nodes || []).forEach((n, i) => {
      if (this.cy.getElementById(n.id).nonempty()) return;
      // new nodes start around the node they were reached from, so the layout only nudges them
      const angle = (2 * Math.PI * i) / Math.max(1, graph.nodes.length);
      const position = origin ? { x: origin.x + 80 * Math.cos(angle), y: origin.y + 80 * Math.sin(angle) }
        : { x: 300 * Math.cos(angle), y: 300 * Math.sin(angle) };
      added.push({ group: "nodes", position, data: { ...n, degree: n.degree ?? 1, display: nodeLabel(n) } });
    });
    this.cy.add(added);
    const edges = (graph.edges || []).filter((e) => this.cy.getElementById(e.source).nonempty()
      && this.cy.getElementById(e.target).nonempty() && this.cy.getElementById(edgeId(e)).empty());
    this.cy.add(edges.map((e) => ({ group: "edges", data: { ...e, id: edgeId(e), colour: colour(e.type) } })));
    this.refreshFilter();
    this.container.dataset.nodes = this.cy.nodes().length;
    this.container.dataset.edges = this.cy.edges().length;
    return added.length + edges.length;
  }

  /** Fits the view to ``eles`` without zooming in past ``maxZoom`` (a lone node would fill the screen). */
  fitTo(eles, padding = 40, maxZoom = 1.2) {
    const limit = this.cy.maxZoom();
    this.cy.maxZoom(maxZoom);
    this.cy.fit(eles, padding);
    this.cy.maxZoom(limit);
  }

  layout(fit = false) {
    if (!this.cy || this.cy.elements().empty()) return;
    this.cy.layout({ name: "cose", randomize: false, animate: false, fit: false, nodeDimensionsIncludeLabels: true,
      idealEdgeLength: () => 90, nodeRepulsion: () => 9000, numIter: 600 }).run();
    if (fit) this.fitTo(this.cy.elements(), 30);
  }

  relabel() {
    if (this.cy) this.cy.nodes().forEach((n) => n.data("display", nodeLabel(n.data())));
  }

  /** Makes sure a concept and its neighbourhood are on the map. */
  async ensure(id, limit = NEIGHBOUR_LIMIT) {
    if (!this.cy) return 0;
    const graph = await api(`/v1/graph?center=${encodeURIComponent(id)}&depth=1&limit=${limit}`);
    const added = this.merge(graph, id);
    if (added) this.layout(false);
    return added;
  }

  async focus(id) {
    const shown = this.showConcept(id);  // opens the panel at once, so the centring below sees the final width
    if (this.cy) {
      if (this.cy.getElementById(id).empty()) await this.ensure(id).catch(() => 0);
      const node = this.cy.getElementById(id);
      if (node.nonempty()) {
        this.cy.elements().unselect();
        node.select();
        if (this.cy.zoom() < 0.9) this.cy.zoom(0.9);
        this.cy.center(node);
      }
    }
    await shown;
  }

  openPanel(...content) {
    this.panelBody.replaceChildren(...present(content));  // an absent part (no aliases) shows nothing
    this.setPanel(true);
    this.panel.scrollTop = 0;
  }

  setPanel(open) {
    if (this.panel.hidden === !open) return;
    this.panel.hidden = !open;
    if (this.cy) this.cy.resize();  // the graph's box changed width
  }

  evidenceList(evidence) {
    if (!evidence || !evidence.length) return h("p", { class: "muted" }, t("noEvidence"));
    return h("ul", { class: "evidence" }, evidence.map((ev) => h("li", {},
      h("button", { type: "button", class: "quote-link", "data-testid": "evidence", title: t("openDoc"),
        onclick: () => this.openDocument(ev.doc_id, ev.start, ev.end, ev.quote) }, `“${ev.quote}”`))));
  }

  conceptLink(c) {
    return h("button", { type: "button", class: "concept-link", "data-id": c.id, onclick: () => this.focus(c.id) }, names(c));
  }

  async showConcept(id) {
    this.openPanel(h("p", { class: "muted" }, t("loading")));
    let c;
    try {
      c = await api(`/v1/concepts/${encodeURIComponent(id)}`);
    } catch (e) {
      this.openPanel(h("p", { class: "error" }, t("error") + e.message));
      return;
    }
    const passage = definingSentence(c);
    const question = t("askTemplate", { name: getLang() === "zh" ? (c.label_zh || c.label) : (c.label || c.label_zh) });
    this.openPanel(
      h("h3", { "data-testid": "concept-title" }, names(c)),
      c.aliases && c.aliases.length ? h("p", { class: "aliases" }, `${t("aliases")}: ${c.aliases.join(" / ")}`) : null,
      h("p", { class: "muted" }, `${t("degree")}: ${c.degree}`),
      h("div", { class: "actions" },
        h("button", { type: "button", "data-testid": "ask-about", onclick: () => this.ask(question) }, t("askAbout")),
        h("button", { type: "button", "data-testid": "expand", onclick: () => this.ensure(c.id).catch(() => 0) }, t("expand")),
        h("button", { type: "button", onclick: () => { document.getElementById("path-source").value = c.label || c.id; } },
          t("pathFrom2")),
        h("button", { type: "button", onclick: () => { document.getElementById("path-target").value = c.label || c.id; } },
          t("pathTo2"))),
      h("h4", {}, t("definition")),
      passage ? h("figure", { class: "passage", "data-testid": "definition" },
        h("figcaption", {}, [passage.chunk.title, passage.chunk.section].filter(Boolean).join(" › ")),
        h("blockquote", {}, passage.text.slice(0, passage.mention[0]),
          h("mark", {}, passage.text.slice(...passage.mention)), passage.text.slice(passage.mention[1])),
        h("button", { type: "button", class: "quote-link", "data-testid": "definition-open",
          onclick: () => this.openDocument(passage.chunk.doc_id, passage.start, passage.end, passage.text) },
        t("openDoc"))) : h("p", { class: "muted" }, t("noPassage")),
      h("h4", {}, `${t("neighbours")} (${(c.neighbours || []).length})`),
      this.neighbourList(c.neighbours || []),
    );
  }

  neighbourList(neighbours) {
    if (!neighbours.length) return h("p", { class: "muted" }, t("noNeighbours"));
    return h("ul", { class: "neighbours", "data-testid": "neighbours" }, neighbours.map((n) => h("li", { "data-testid": "neighbour" },
      h("span", { class: "rel", style: { background: colour(n.type) } }, `${n.direction === "in" ? t("in") : t("out")} ${n.type}`),
      " ", this.conceptLink(n),
      this.evidenceList(n.evidence))));
  }

  showEdge(e) {
    const node = (id) => this.cy.getElementById(id).data() || { id };
    this.openPanel(
      h("h3", {}, t("evidence")),
      h("p", { class: "hop" }, this.conceptLink(node(e.source)),
        h("span", { class: "rel", style: { background: colour(e.type) } }, ` ${e.type} → `), this.conceptLink(node(e.target))),
      this.evidenceList(e.evidence),
    );
  }

  /** Colours the concepts of the current answer, adding them to the map when they are not on it yet. */
  async highlightAnswer(ids) {
    if (!this.cy) return;
    this.cy.nodes().removeClass("answer");
    const missing = ids.filter((id) => this.cy.getElementById(id).empty()).slice(0, 3);
    for (const id of missing) await this.ensure(id, 15).catch(() => 0);
    const nodes = this.cy.collection(ids.map((id) => this.cy.getElementById(id)).filter((n) => n.nonempty()));
    nodes.addClass("answer");
    this.container.dataset.answer = nodes.map((n) => n.id()).join(" ");
    if (nodes.nonempty()) this.fitTo(nodes.closedNeighborhood(), 40);
  }

  refreshFilter() {
    const types = [...new Set(this.cy.edges().map((e) => e.data("type")))].sort();
    const box = document.getElementById("relation-filter");
    box.replaceChildren(...types.map((type) => h("label", { class: "rel-option" },
      h("input", { type: "checkbox", value: type, checked: !this.hiddenTypes.has(type), "data-testid": "relation-type",
        onchange: (ev) => {
          if (ev.target.checked) this.hiddenTypes.delete(type); else this.hiddenTypes.add(type);
          this.applyFilter();
        } }),
      h("span", { class: "swatch", style: { background: colour(type) } }), type)));
    this.applyFilter();
  }

  applyFilter() {
    this.cy.edges().forEach((e) => { e.toggleClass("hidden-type", this.hiddenTypes.has(e.data("type"))); });
    this.container.dataset.visibleEdges = this.cy.edges().filter((e) => !e.hasClass("hidden-type")).length;
  }

  wireSearch() {
    const input = document.getElementById("concept-search");
    const list = document.getElementById("search-results");
    let timer = null, seq = 0;
    const run = async () => {
      const q = input.value.trim();
      if (!q) { list.hidden = true; return; }
      const mine = ++seq;
      let found;
      try { found = await api(`/v1/concepts?q=${encodeURIComponent(q)}&limit=10`); } catch (e) { found = e; }
      if (mine !== seq) return;  // a later keystroke already asked again
      list.replaceChildren(...(found instanceof Error ? [h("li", { class: "error" }, found.message)]
        : found.length ? found.map((c) => h("li", {},
          h("button", { type: "button", "data-testid": "search-result", "data-id": c.id,
            onclick: () => { list.hidden = true; this.focus(c.id); } },
          names(c), c.aliases && c.aliases.length ? h("small", {}, c.aliases.slice(0, 3).join(" / ")) : null)))
          : [h("li", { class: "muted" }, t("noResults"))]));
      list.hidden = false;
    };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); clearTimeout(timer); run().then(() => list.querySelector("button")?.click()); }
      if (ev.key === "Escape") list.hidden = true;
    });
    document.addEventListener("click", (ev) => { if (!ev.target.closest(".search")) list.hidden = true; });

    // the path inputs suggest names from the same search
    const options = document.getElementById("concept-options");
    for (const id of ["path-source", "path-target"]) {
      const field = document.getElementById(id);
      let pathTimer = null;
      field.addEventListener("input", () => {
        clearTimeout(pathTimer);
        pathTimer = setTimeout(async () => {
          if (!field.value.trim()) return;
          const found = await api(`/v1/concepts?q=${encodeURIComponent(field.value.trim())}&limit=8`).catch(() => []);
          options.replaceChildren(...found.map((c) => h("option", { value: c.label || c.id, label: names(c) })));
        }, 150);
      });
    }
  }

  wirePath() {
    document.getElementById("path-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const source = document.getElementById("path-source").value.trim();
      const target = document.getElementById("path-target").value.trim();
      if (!source || !target) { this.openPanel(h("p", { class: "error" }, t("pathNeedsBoth"))); return; }
      this.findPath(source, target);
    });
  }

  async findPath(source, target) {
    this.openPanel(h("p", { class: "muted" }, t("loading")));
    let result;
    try {
      result = await api(`/v1/path?source=${encodeURIComponent(source)}&target=${encodeURIComponent(target)}`);
    } catch (e) {
      const suggestions = e instanceof ApiError ? e.suggestions : [];
      this.openPanel(h("p", { class: "error", "data-testid": "path-error" }, e.message),
        suggestions.length ? h("p", {}, t("didYouMean"), suggestions.join(" / ")) : null);
      return;
    }
    const byId = new Map(result.path.map((n) => [n.id, n]));
    this.openPanel(
      h("h3", {}, `${t("path")} · ${t("hops", { n: result.edges.length })}`),
      h("p", { class: "chain", "data-testid": "path-chain" },
        result.path.flatMap((n, i) => (i ? [" → ", this.conceptLink(n)] : [this.conceptLink(n)]))),
      h("ol", { class: "hops", "data-testid": "hops" }, result.edges.map((e) => h("li", { "data-testid": "hop" },
        h("p", { class: "hop" }, names(byId.get(e.source) || { id: e.source }),
          h("span", { class: "rel", style: { background: colour(e.type) } }, ` ${e.type} → `),
          names(byId.get(e.target) || { id: e.target })),
        this.evidenceList(e.evidence ? [e.evidence] : [])))),
    );
    this.drawPath(result);
  }

  drawPath(result) {
    if (!this.cy) return;
    this.cy.elements().removeClass("on-path");
    const edges = result.edges.map((e) => ({ ...e, weight: 1, evidence: e.evidence ? [e.evidence] : [] }));
    if (this.merge({ nodes: result.path, edges }, result.path[0] && result.path[0].id)) this.layout(false);
    const eles = this.cy.collection();
    for (const n of result.path) eles.merge(this.cy.getElementById(n.id));
    for (const e of result.edges) eles.merge(this.cy.getElementById(edgeId(e)));
    eles.addClass("on-path");
    this.container.dataset.path = result.path.map((n) => n.id).join(" ");
    this.fitTo(eles, 50, 1.5);
  }
}
