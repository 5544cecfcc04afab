// The grid desk (grid desk) for grid workers and staff: log in with the staff session, my cases
// (overdue first, then the soonest due, each with its clock), a case's detail and its next
// steps (casework.js), entry on a resident's behalf (entry.js), the figures (figures.js).
// Every string from /api/i18n; data only ever as text.
import { t } from "/static/api.js";
import { openCase } from "/desk/casework.js";
import { $, call, el, say, setPageLanguage, startSession, when } from "/shared/core.js";
import { clockText, desk } from "/desk/common.js";
import { showEntry } from "/desk/entry.js";
import { showFigures } from "/desk/figures.js";

const OPEN = ["received", "dispatched", "responded", "in_progress", "on_hold"];
const list = { cases: [] };

function showLogin() {
  $("work").hidden = true;
  $("logout").hidden = true;
  $("who").hidden = true;
  $("login").hidden = false;
  delete document.body.dataset.ready;
}

// ---- views --------------------------------------------------------------------------------

export function showView(name) {
  for (const b of document.querySelectorAll("[data-view]")) {
    b.setAttribute("aria-selected", String(b.dataset.view === name || (name === "case" && b.dataset.view === "cases")));
  }
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== `view-${name}`;
  document.body.dataset.view = name;
  window.scrollTo(0, 0);
}

function go(name) {
  say("");
  if (name === "cases") {
    showView("cases");
    history.replaceState(null, "", "/desk/"); // a reload shows the list, not the last case
    loadCases();
  }
  if (name === "entry") { showView("entry"); showEntry({ onFiled: (id) => openDetail(id) }).catch((err) => say(err.message, true)); }
  if (name === "figures") { showView("figures"); showFigures().catch((err) => say(err.message, true)); }
}

// ---- my cases ------------------------------------------------------------------------------

// Overdue first (the longest late first), then the soonest due, then parked and handled ones.
function urgency(c) {
  if (!c.open) return [3, 0];
  if (c.on_hold) return [2, 0];
  const due = c.due_resolution_at ? Date.parse(c.due_resolution_at) : Infinity;
  return [c.overdue ? 0 : 1, due];
}

function byUrgency(a, b) {
  const [x, y] = [urgency(a), urgency(b)];
  return x[0] - y[0] || x[1] - y[1] || b.id - a.id;
}

function caseRow(c) {
  const li = el("li");
  const button = el("button", "", { type: "button", class: "case-row", "data-case": c.id });
  const top = el("span", "", { class: "row-top" });
  top.append(el("strong", `#${c.id} ${c.category_name}`), el("span", c.state_name, { class: `state s-${c.state}` }));
  button.append(top);
  button.append(el("span", c.summary || c.place || "—", { class: "row-what" }));
  const clock = c.open && !c.on_hold ? clockText(c.due_resolution_at) : { text: "", late: false };
  const bottom = el("span", "", { class: "row-bottom" });
  bottom.append(el("span", [c.place, when(c.received_at)].filter(Boolean).join(" · ")));
  if (clock.text) bottom.append(el("span", clock.text, { class: c.overdue ? "clock late" : "clock" }));
  if (c.on_hold) bottom.append(el("span", t("web.desk.on_hold"), { class: "clock" }));
  button.append(bottom);
  if (c.overdue) button.classList.add("overdue");
  button.addEventListener("click", () => openDetail(c.id));
  li.append(button);
  return li;
}

function renderCases() {
  const box = $("case-list");
  box.replaceChildren(...list.cases.map(caseRow));
  const late = list.cases.filter((c) => c.overdue).length;
  $("case-count").textContent = list.cases.length
    ? t("web.desk.count", { n: list.cases.length, late }) : t("web.desk.none");
}

export async function loadCases() {
  const query = new URLSearchParams();
  if (!$("f-done").checked) for (const s of OPEN) query.append("state", s);
  if ($("f-category").value) query.set("category", $("f-category").value);
  query.set("limit", "300");
  try {
    list.cases = (await call("GET", `/api/desk/cases?${query}`)).sort(byUrgency);
    renderCases();
  } catch (err) {
    say(err.message, true);
  }
}

async function openDetail(id) {
  showView("case");
  try {
    await openCase(id, { onChanged: () => {} });
  } catch (err) {
    say(err.message, true);
  }
}

// ---- start -----------------------------------------------------------------------------------

function fillCategories() {
  const select = $("f-category");
  select.replaceChildren(el("option", t("web.desk.filter.all_categories"), { value: "" }));
  for (const c of desk.me.categories) select.append(el("option", c.name, { value: c.code }));
}

async function start(session) {
  desk.me = await call("GET", "/api/desk/me");
  $("login").hidden = true;
  $("work").hidden = false;
  $("logout").hidden = false;
  $("who").hidden = false;
  $("who").textContent = t("staff.signed_in_as", { name: session.user.name, role: session.user.role });
  fillCategories();
  const asked = Number(new URLSearchParams(location.search).get("case"));
  if (asked) await openDetail(asked); else go("cases");
  document.body.dataset.ready = "true";
}

async function main() {
  await setPageLanguage();
  $("lang").addEventListener("click", async () => {
    await setPageLanguage(desk.lang === "zh" ? "en" : "zh");
    if (desk.user) { desk.me = await call("GET", "/api/desk/me"); fillCategories(); go("cases"); }
  });
  for (const b of document.querySelectorAll("[data-view]")) b.addEventListener("click", () => go(b.dataset.view));
  $("back").addEventListener("click", () => go("cases"));
  $("f-done").addEventListener("change", loadCases);
  $("f-category").addEventListener("change", loadCases);
  $("f-refresh").addEventListener("click", loadCases);
  await startSession({ start, showLogin });
}

main().catch((err) => say(err.message, true));
