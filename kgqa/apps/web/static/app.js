// The kgqa page: bilingual UI text, the chat panel and the document viewer. The concept map is map.js.
// Every request goes to the same origin (the kgqa HTTP service); nothing is loaded from elsewhere.
import { ConceptMap } from "./map.js";
import { api, getLang, h, names, setLang, t } from "./ui.js";

// --- document viewer: a citation or evidence quote shown in its document, highlighted ----------

const viewer = document.getElementById("doc-viewer");
const viewerText = document.getElementById("doc-text");

/** Opens document ``docId`` with ``text[start:end]`` highlighted; falls back to finding ``quote`` if they differ. */
export async function openDocument(docId, start, end, quote) {
  viewer.hidden = false;
  document.getElementById("doc-title").textContent = t("loading");
  viewerText.replaceChildren();
  let doc;
  try {
    doc = await api(`/v1/documents/${encodeURIComponent(docId)}`);
  } catch (e) {
    viewerText.replaceChildren(h("p", { class: "error" }, t("error") + e.message));
    return;
  }
  const text = doc.text;
  let s = start, e = end;
  const same = (a, b) => a.replace(/\s+/g, "") === b.replace(/\s+/g, "");
  if (quote && !(s >= 0 && e <= text.length && same(text.slice(s, e), quote))) {
    const i = text.indexOf(quote.trim());
    if (i >= 0) { s = i; e = i + quote.trim().length; }
  }
  document.getElementById("doc-title").textContent = doc.title || doc.doc_id;
  const blocks = doc.blocks || [];
  const marks = [];
  // a piece of the text with the part inside [s, e) highlighted; the first piece carries the test id
  const piece = (a, b) => {
    const from = Math.max(a, s), to = Math.min(b, e);
    if (from >= to) return [text.slice(a, b)];
    const mark = h("mark", { class: "quote", ...(marks.length ? {} : { "data-testid": "highlight" }) },
      text.slice(from, to));
    marks.push(mark);
    return [text.slice(a, from), mark, text.slice(to, b)];
  };
  if (!blocks.length || doc.format === "md" || doc.format === "txt") {
    // Markdown and plain text are shown as written: their text is the file itself
    viewerText.classList.add("raw");
    viewerText.replaceChildren(...piece(0, text.length));
  } else {
    viewerText.classList.remove("raw");
    viewerText.replaceChildren(...blocks.map((b) => renderBlock(b, text, piece)));
  }
  if (marks.length) marks[0].scrollIntoView({ block: "center" });
}

/** One block of the converted document as HTML: headings, list items, tables, code, quotes, paragraphs. */
function renderBlock(b, text, piece) {
  if (b.kind === "heading") return h(`h${Math.min(Math.max(b.level, 1) + 2, 6)}`, {}, piece(b.start, b.end));
  if (b.kind === "code") return h("pre", {}, piece(b.start, b.end));
  if (b.kind === "quote") return h("blockquote", {}, piece(b.start, b.end));
  if (b.kind === "list_item") return h("div", { class: `li depth-${Math.min(b.depth, 4)}` }, piece(b.start, b.end));
  if (b.kind === "table") {
    // the text holds one line per row and " | " between cells: cut there, so a highlight stays exact
    const rows = [];
    let at = b.start;
    for (const line of text.slice(b.start, b.end).split("\n")) {
      const cells = [];
      let c = at;
      for (const cell of line.split(" | ")) { cells.push(h("td", {}, piece(c, c + cell.length))); c += cell.length + 3; }
      rows.push(h("tr", {}, cells));
      at += line.length + 1;
    }
    return h("table", {}, rows);
  }
  return h("p", {}, piece(b.start, b.end));
}

function closeViewer() { viewer.hidden = true; }
document.getElementById("doc-close").addEventListener("click", closeViewer);
viewer.addEventListener("click", (ev) => { if (ev.target === viewer) closeViewer(); });
document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeViewer(); });

// --- chat -----------------------------------------------------------------------------------------

const messages = document.getElementById("messages");
const form = document.getElementById("ask-form");
const input = document.getElementById("question");
const history = [];
const HISTORY_TURNS = 6;

/** Reads an SSE body: yields {event, data} for each event; comment lines (pings) are skipped. */
async function* sseEvents(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    buffer = buffer.replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const i = line.indexOf(":");
        const field = i < 0 ? line : line.slice(0, i);
        const val = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
        if (field === "event") event = val;
        else if (field === "data") data.push(val);
      }
      if (data.length) yield { event, data: data.join("\n") };
    }
    if (done) return;
  }
}

function answerText(answer) {
  const byN = new Map(answer.citations.map((c) => [c.n, c]));
  return answer.answer.split(/(\[\d+\])/).map((part) => {
    const m = /^\[(\d+)\]$/.exec(part);
    const c = m && byN.get(Number(m[1]));
    if (!c) return part;
    return h("button", { type: "button", class: "cite", "data-n": c.n, "data-testid": "citation",
      title: `${c.title} › ${c.section}`, onclick: () => openDocument(c.doc_id, c.start, c.end, c.quote) }, `[${c.n}]`);
  });
}

function renderAnswer(bubble, answer) {
  bubble.classList.toggle("abstained", answer.abstained);
  const parts = [h("div", { class: "answer-text", "data-testid": "answer" }, answerText(answer))];
  if (answer.abstained) parts.unshift(h("div", { class: "tag" }, t("abstained")));
  if (answer.outcome === "caveat" && (answer.missing || []).length) {
    parts.unshift(h("div", { class: "tag caveat", "data-testid": "caveat" }, t("caveat") + answer.missing.join(", ")));
  }
  if (answer.citations.length) {
    parts.push(h("ol", { class: "sources", "aria-label": t("sources") },
      answer.citations.map((c) => h("li", { value: c.n },
        h("button", { type: "button", class: "source", "data-testid": "source",
          onclick: () => openDocument(c.doc_id, c.start, c.end, c.quote) },
        h("span", { class: "where" }, [c.title, c.section].filter(Boolean).join(" › ")),
        h("span", { class: "quote" }, c.quote))))));
  }
  if (answer.related_concepts.length) {
    parts.push(h("div", { class: "chips", "data-testid": "related" }, h("span", { class: "chips-title" }, t("related")),
      answer.related_concepts.map((rc) => h("button", { type: "button", class: "chip", "data-testid": "related-chip",
        title: rc.question, onclick: () => ask(rc.question) }, names(rc), h("small", {}, rc.relation)))));
  }
  bubble.replaceChildren(...parts);
}

function addMessage(role, ...content) {
  const hint = messages.querySelector(".hint");
  if (hint) hint.remove();
  const bubble = h("div", { class: `msg ${role}`, "data-testid": `msg-${role}` }, ...content);
  messages.append(bubble);
  bubble.scrollIntoView({ block: "end" });
  return bubble;
}

async function ask(question) {
  question = question.trim();
  if (!question) return;
  addMessage("user", question);
  const bubble = addMessage("assistant", h("span", { class: "pending" }, t("thinking")));
  const button = document.getElementById("ask-button");
  button.disabled = true;
  try {
    const res = await fetch("/v1/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question, history: history.slice(-2 * HISTORY_TURNS) }),
    });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new Error((body && body.error && body.error.message) || `${res.status} ${res.statusText}`);
    }
    let answer = null, streamed = "";
    if ((res.headers.get("content-type") || "").includes("text/event-stream")) {
      for await (const ev of sseEvents(res)) {
        if (ev.event === "delta") {
          streamed += JSON.parse(ev.data).text;
          bubble.replaceChildren(h("div", { class: "answer-text streaming" }, streamed));
        } else if (ev.event === "done") answer = JSON.parse(ev.data);
      }
    } else answer = await res.json();
    if (!answer) throw new Error("the answer stream ended early");
    renderAnswer(bubble, answer);
    history.push({ role: "user", content: question }, { role: "assistant", content: answer.answer });
    map.highlightAnswer(answer.concepts || []);
  } catch (e) {
    bubble.classList.add("failed");
    bubble.replaceChildren(h("span", { class: "error" }, t("error") + e.message));
  } finally {
    button.disabled = false;
    bubble.scrollIntoView({ block: "nearest" });
  }
}

form.addEventListener("submit", (ev) => { ev.preventDefault(); const q = input.value; input.value = ""; ask(q); });
input.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit(); }
});

// --- language and status --------------------------------------------------------------------------

// the knowledge base's own title and example questions (GET /v1/overview), whatever its documents are
let overview = { title: "kgqa", questions: {} };

function pageVars() {
  const lang = getLang();
  return { kb: overview.title || "kgqa", example: (overview.questions[lang] || [])[0] || t("exampleFallback") };
}

async function loadOverview() {
  try {
    overview = await api("/v1/overview");
  } catch {
    return;  // the page still works with the generic title
  }
  applyLang();
}

function applyLang() {
  const lang = getLang();
  document.documentElement.lang = lang;
  const vars = pageVars();
  document.title = t("title", vars);
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n, vars);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  document.getElementById("lang-toggle").textContent = lang === "zh" ? "EN" : "中文";
  refreshStatus();
  map.relabel();
}

async function refreshStatus() {
  const status = document.getElementById("status");
  try {
    const health = await api("/healthz");
    status.textContent = t("status", health);
    status.classList.remove("down");
  } catch {
    status.textContent = t("offline");
    status.classList.add("down");
  }
}

document.getElementById("lang-toggle").addEventListener("click", () => {
  setLang(getLang() === "zh" ? "en" : "zh");
  applyLang();
});

const map = new ConceptMap(document.getElementById("cy"), { ask, openDocument });
applyLang();
loadOverview();
map.start();
