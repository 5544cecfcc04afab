// The desk's figures for a month, within the user's grids: three rates (response, solved, satisfied) and the
// others, each with its definition written beside it; by grid, community, sub-district or category;
// departments' report-in; the overdue and soon-overdue lists; the monthly XLSX. Counted by the
// server (desk/metrics.py); the page only shows them.
import { t } from "/static/api.js";
import { $, call, el } from "/shared/core.js";

//: The three rates first, then the figures a sub-district asks about most.
const HEADLINE = ["response_rate", "solved_rate", "satisfied_rate", "on_time_rate", "closed_rate", "answered_rate"];
const TABLE = ["received", "response_rate", "on_time_rate", "solved_rate", "satisfied_rate", "overdue"];
const CUTS = ["grid", "community", "subdistrict", "category"];
const fig = { month: "", cut: "grid", data: null };

function thisMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

// A figure as shown: a rate as a percentage with its two counts, a median in hours, a count.
export function shown(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") {
    return value.value === null ? `— (0/${value.d})` : `${(value.value * 100).toFixed(1)}% (${value.n}/${value.d})`;
  }
  return String(value);
}

function card(name, value, definitions) {
  const def = definitions[name];
  const box = el("div", "", { class: "figure", "data-figure": name });
  box.append(el("p", def.label, { class: "figure-label" }), el("p", shown(value), { class: "figure-value" }), el("p", def.definition, { class: "figure-def" }));
  return box;
}

function table(rows, names, definitions, firstKey) {
  const tableEl = el("table", "", { class: "figures" });
  const head = el("tr");
  head.append(el("th", t(firstKey)), ...names.map((n) => el("th", definitions[n].label, { title: definitions[n].definition })));
  const body = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    tr.append(el("th", r.name || r.key || "—"), ...names.map((n) => el("td", shown(r[n]))));
    body.append(tr);
  }
  tableEl.append(el("thead"), body);
  tableEl.firstChild.append(head);
  return tableEl;
}

function caseList(titleKey, cases) {
  const box = el("section", "", { class: "part" });
  box.append(el("h3", t(titleKey, { n: cases.length })));
  const ul = el("ul", "", { class: "plain" });
  for (const c of cases) {
    const a = el("a", `#${c.id} ${c.category_name} · ${c.place || "—"} · ${c.state_name}`, { href: `/desk/?case=${c.id}` });
    const li = el("li");
    li.append(a);
    ul.append(li);
  }
  box.append(ul);
  return box;
}

function render() {
  const d = fig.data;
  const box = $("fig-body");
  const overall = el("div", "", { class: "figure-grid" });
  const rest = Object.keys(d.overall).filter((n) => !HEADLINE.includes(n));
  for (const n of [...HEADLINE, ...rest]) if (n in d.overall) overall.append(card(n, d.overall[n], d.definitions));
  const cut = el("section", "", { class: "part" });
  const pick = el("select", "", { id: "fig-cut", "aria-label": t("web.desk.fig.cut") });
  for (const c of CUTS) pick.append(el("option", t(`web.desk.fig.by_${c}`), { value: c }));
  pick.value = fig.cut;
  pick.addEventListener("change", () => { fig.cut = pick.value; render(); });
  cut.append(el("h3", t("web.desk.fig.cut")), pick, el("div", "", { class: "scroll" }));
  cut.lastChild.append(table(d.by[fig.cut] || [], TABLE, d.definitions, `web.desk.fig.by_${fig.cut}`));
  // the period's end is exclusive (the next month's first moment): show its last day
  const last = d.to ? new Date(Date.parse(d.to) - 1000).toISOString().slice(0, 10) : "";
  const parts = [el("p", t("web.desk.fig.period", { from: (d.from || "").slice(0, 10), to: last, as_of: (d.as_of || "").slice(0, 16).replace("T", " ") }), { class: "muted" }), overall, cut];
  if (d.trend.length) {
    const trend = el("section", "", { class: "part" });
    trend.append(el("h3", t("web.desk.fig.trend")), el("div", "", { class: "scroll" }));
    trend.lastChild.append(table(d.trend, TABLE, d.definitions, "web.desk.fig.month"));
    parts.push(trend);
  }
  if (d.departments.length) {
    const deps = el("section", "", { class: "part" });
    const names = Object.keys(d.departments[0]).filter((k) => k in d.definitions);
    deps.append(el("h3", t("web.desk.fig.departments")), el("div", "", { class: "scroll" }));
    deps.lastChild.append(table(d.departments, names, d.definitions, "web.desk.fig.department"));
    parts.push(deps);
  }
  parts.push(caseList("web.desk.fig.overdue", d.overdue), caseList("web.desk.fig.soon", d.soon_overdue));
  box.replaceChildren(...parts);
}

async function load() {
  fig.month = $("fig-month").value || thisMonth();
  $("fig-xlsx").href = `/api/desk/report.xlsx?month=${fig.month}`;
  fig.data = await call("GET", `/api/desk/metrics?month=${fig.month}`);
  render();
  document.body.dataset.figures = fig.month;
}

// Show the figures view for the month chosen (this month at first).
export async function showFigures() {
  const view = $("view-figures");
  if (!$("fig-month")) {
    const bar = el("div", "", { class: "filters" });
    const month = el("input", "", { id: "fig-month", type: "month", value: thisMonth(), "aria-label": t("web.desk.fig.month") });
    const xlsx = el("a", t("web.desk.fig.xlsx"), { id: "fig-xlsx", class: "button", download: "" });
    bar.append(month, xlsx);
    view.replaceChildren(el("h2", t("web.desk.tab.figures")), bar, el("div", "", { id: "fig-body" }));
    month.addEventListener("change", () => load().catch((err) => $("fig-body").replaceChildren(el("p", err.message, { class: "status error" }))));
  }
  await load();
}
