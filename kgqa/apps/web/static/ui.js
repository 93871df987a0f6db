// Shared by the page's modules: bilingual UI text, concept names, DOM building and the API client.

const STRINGS = {
  zh: {
    title: "{kb} · 知识图谱问答", chat: "问答", map: "概念图谱", ask: "提问",
    chatHint: "提问，例如：{example} 答案中的 [n] 可点击查看原文。", askPlaceholder: "输入问题…",
    searchPlaceholder: "搜索概念（中文 / English / 别名）", pathFrom: "起点概念", pathTo: "终点概念",
    findPath: "找路径", relations: "关系类型", resetMap: "重置视图",
    legend: "滚轮缩放，拖动平移；点击概念查看定义与邻居，点击连线查看证据。黄色为当前答案涉及的概念。",
    thinking: "检索中…", sources: "引用", related: "相关概念", abstained: "知识库未覆盖此问题",
    caveat: "知识库没有提到：", exampleFallback: "这些文档讲了什么？",
    noResults: "没有匹配的概念", status: "{documents} 篇文档 · {chunks} 个片段 · {concepts} 个概念",
    offline: "服务不可用", definition: "定义段落", aliases: "别名", degree: "关联数", neighbours: "邻居",
    askAbout: "就此提问", expand: "在图中展开邻居", pathFrom2: "设为起点", pathTo2: "设为终点",
    openDoc: "在文档中查看", askTemplate: "什么是{name}？", path: "路径", hops: "{n} 跳",
    noEvidence: "（无证据句）", evidence: "证据", noNeighbours: "没有邻居", noPassage: "没有找到定义段落",
    libMissing: "图谱库未安装：请运行 kgqa/apps/web/build.sh", pathNeedsBoth: "请填写起点和终点",
    didYouMean: "你是不是要找：", out: "→", in: "←", loading: "加载中…", error: "出错了：",
  },
  en: {
    title: "{kb} · knowledge-graph QA", chat: "Ask", map: "Concept map", ask: "Ask",
    chatHint: "Ask a question, e.g. {example} Click an [n] in the answer to read the source.",
    askPlaceholder: "Type a question…", searchPlaceholder: "Search concepts (中文 / English / alias)",
    pathFrom: "From concept", pathTo: "To concept", findPath: "Find path", relations: "Relation types",
    resetMap: "Reset view",
    legend: "Scroll to zoom, drag to pan; click a concept for its definition and neighbours, an edge for its "
      + "evidence. Yellow marks the concepts of the current answer.",
    thinking: "Searching…", sources: "Sources", related: "Related concepts",
    abstained: "Not covered by the knowledge base", caveat: "Not in the knowledge base: ",
    exampleFallback: "What are these documents about?",
    noResults: "No matching concept", status: "{documents} documents · {chunks} chunks · {concepts} concepts",
    offline: "service unavailable", definition: "Defining passage", aliases: "Aliases", degree: "Links",
    neighbours: "Neighbours", askAbout: "Ask about this", expand: "Show neighbours on the map",
    pathFrom2: "Path from here", pathTo2: "Path to here", openDoc: "Open in document",
    askTemplate: "What is {name}?", path: "Path", hops: "{n} hops", noEvidence: "(no evidence sentence)",
    evidence: "Evidence", noNeighbours: "No neighbours", noPassage: "No defining passage found",
    libMissing: "Graph library missing: run kgqa/apps/web/build.sh", pathNeedsBoth: "Fill in both concepts",
    didYouMean: "Did you mean: ", out: "→", in: "←", loading: "Loading…", error: "Error: ",
  },
};

// ?lang=zh|en, else the last choice, else the browser's language
function initialLang() {
  const asked = new URLSearchParams(location.search).get("lang") || localStorage.getItem("kgqa.lang");
  if (asked === "zh" || asked === "en") return asked;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

let lang = initialLang();

export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

export function getLang() { return lang; }

export function setLang(value) { lang = value; localStorage.setItem("kgqa.lang", lang); }

/** Both names of a concept, the UI language's first: {label: "Attention", label_zh: "注意力"} -> "注意力 · Attention". */
export function names(c) {
  const en = c.label || "", zh = c.label_zh || "";
  if (!zh || zh === en) return en || zh || c.id;
  if (!en) return zh;
  return lang === "zh" ? `${zh} · ${en}` : `${en} · ${zh}`;
}

/** A DOM element: h("a", {href: "#", class: "x", style: {color: "red"}, onclick: f}, "text", child).
 * Text is never parsed as HTML; null, undefined and false children are left out. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "style") Object.assign(el.style, v);  // through the DOM: the CSP refuses style attributes
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...present(children));
  return el;
}

/** The children worth showing: ``el.append(null)`` would show the text "null". */
export function present(children) {
  return children.flat().filter((c) => c !== null && c !== undefined && c !== false);
}

export class ApiError extends Error {
  constructor(status, message, suggestions) { super(message); this.status = status; this.suggestions = suggestions; }
}

export async function api(path, options = {}) {
  const res = await fetch(path, options);
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const err = body && body.error;
    throw new ApiError(res.status, (err && err.message) || `${res.status} ${res.statusText}`, (err && err.suggestions) || []);
  }
  return body;
}
