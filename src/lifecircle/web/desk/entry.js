// Staff entry on a resident's behalf: a phone call, a walk-in, a message pasted from the grid's WeChat group
// (its own time becomes the received time), or a patrol finding. Where: a compound found by
// name (building, unit) or a longitude/latitude. Open cases of the same kind nearby come back
// first (409): join one, or file anew. Private categories (disputes, welfare) are offered here.
import { getJSON, t } from "/static/api.js";
import { $, ApiFailure, call, el, say } from "/shared/core.js";
import { desk, uploadPhoto } from "/desk/common.js";

const entry = { compound: null, onFiled: () => {}, photoMax: 0 };
const SOURCES = ["phone", "walk_in", "group_chat", "patrol"];

function input(id, labelKey, attrs = {}) {
  const wrap = el("div", "", { class: "field" });
  const tag = attrs.rows ? "textarea" : "input";
  wrap.append(el("label", t(labelKey), { for: id }), el(tag, "", { id, ...attrs }));
  return wrap;
}

function select(id, labelKey, options) {
  const wrap = el("div", "", { class: "field" });
  const s = el("select", "", { id });
  for (const [value, text] of options) s.append(el("option", text, { value }));
  wrap.append(el("label", t(labelKey), { for: id }), s);
  return wrap;
}

function check(id, labelKey) {
  const l = el("label", "", { class: "check" });
  l.append(el("input", "", { id, type: "checkbox" }), el("span", t(labelKey)));
  return l;
}

async function findCompounds(text) {
  const box = $("e-found");
  box.replaceChildren();
  if (!text.trim()) return;
  const found = await getJSON(`/api/compounds?q=${encodeURIComponent(text.trim())}&lang=${desk.lang}`);
  for (const c of found.slice(0, 8)) {
    const b = el("button", c.community ? `${c.name} · ${c.community}` : c.name, { type: "button" });
    b.addEventListener("click", () => {
      entry.compound = c;
      $("e-compound").value = c.name;
      box.replaceChildren();
    });
    const li = el("li");
    li.append(b);
    box.append(li);
  }
}

function showSource() {
  const chat = $("e-source").value === "group_chat";
  $("e-chat").hidden = !chat;
}

async function values(extra) {
  const v = (id) => $(id).value.trim();
  const body = {
    category: v("e-category"), source: v("e-source"), details: v("e-details"), summary: v("e-summary"),
    building: v("e-building"), unit: v("e-unit"), reporter_name: v("e-name"), reporter_phone: v("e-phone"),
    private: $("e-private").checked, photos: [], ...extra,
  };
  if (entry.compound && $("e-compound").value === entry.compound.name) body.compound = entry.compound.id;
  else if (v("e-compound")) body.compound = v("e-compound");
  if (v("e-lon") && v("e-lat")) { body.lon = Number(v("e-lon")); body.lat = Number(v("e-lat")); }
  if (body.source === "group_chat") {
    body.channel_ref = v("e-ref");
    if (v("e-at")) body.channel_at = Math.floor(Date.parse(v("e-at")) / 1000);
    body.replied = $("e-replied").checked;
  }
  for (const file of $("e-photo").files) body.photos.push(await uploadPhoto(file, entry.photoMax));
  return body;
}

function showDuplicates(cases) {
  const box = $("e-dups");
  box.replaceChildren(el("h3", t("web.report.nearby_title", { n: cases.length })));
  for (const c of cases) {
    const li = el("p", `#${c.case_id} ${c.summary} · ${t(`desk.state.${c.state}`)} · ${Math.round(c.distance_m)} m`);
    const join = el("button", t("web.desk.entry.join", { id: c.case_id }), { type: "button" });
    join.addEventListener("click", () => send({ join: c.case_id }));
    box.append(li, join);
  }
  const fresh = el("button", t("web.report.none_mine"), { type: "button", id: "e-new" });
  fresh.addEventListener("click", () => send({ not_duplicate: true }));
  box.append(fresh);
  box.hidden = false;
}

async function send(extra = {}) {
  try {
    const answer = await call("POST", "/api/desk/cases", await values(extra));
    say(t("web.desk.entry.filed", { id: answer.case_id, grid: answer.grid_name || "—" }));
    $("e-dups").hidden = true;
    entry.onFiled(answer.duplicate_of || answer.case_id);
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 409) showDuplicates(err.details);
    else say(err.message, true);
  }
}

function build() {
  const form = el("form", "", { class: "card entry", id: "entry-form" });
  form.append(el("h2", t("web.desk.entry.title")));
  form.append(select("e-source", "web.desk.entry.source", SOURCES.map((s) => [s, t(`web.desk.source.${s}`)])));
  form.append(select("e-category", "web.report.category", desk.me.categories.map((c) => [c.code, c.private ? `${c.name} ${t("web.desk.private")}` : c.name])));
  form.append(input("e-details", "web.desk.entry.details", { rows: "4", maxlength: "4000", required: "" }));
  form.append(input("e-summary", "web.desk.entry.summary", { maxlength: "200" }));
  const chat = el("div", "", { id: "e-chat", hidden: "" });
  chat.append(input("e-ref", "web.desk.entry.ref", { rows: "3", maxlength: "200" }), input("e-at", "web.desk.entry.at", { type: "datetime-local" }), check("e-replied", "web.desk.entry.replied"));
  form.append(chat);
  form.append(input("e-compound", "web.desk.entry.compound", { maxlength: "200", autocomplete: "off" }), el("ul", "", { id: "e-found", class: "found" }));
  const two = el("div", "", { class: "two" });
  two.append(input("e-building", "web.report.building", { maxlength: "40" }), input("e-unit", "web.report.unit", { maxlength: "40" }));
  const point = el("div", "", { class: "two" });
  point.append(input("e-lon", "web.desk.entry.lon", { inputmode: "decimal" }), input("e-lat", "web.desk.entry.lat", { inputmode: "decimal" }));
  form.append(two, point);
  const who = el("div", "", { class: "two" });
  who.append(input("e-name", "web.desk.entry.name", { maxlength: "40" }), input("e-phone", "web.report.phone", { type: "tel", maxlength: "30" }));
  form.append(who, input("e-photo", "web.report.photo", { type: "file", accept: "image/jpeg,image/png,image/webp" }));
  form.append(check("e-private", "web.desk.entry.private"));
  form.append(el("button", t("web.desk.entry.send"), { type: "submit", class: "primary" }), el("div", "", { id: "e-dups", class: "card dups", hidden: "" }));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); send(); });
  return form;
}

// Show the entry form (built afresh, so the language and categories are current).
export async function showEntry({ onFiled }) {
  entry.onFiled = onFiled;
  entry.compound = null;
  if (!entry.photoMax) entry.photoMax = (await call("GET", "/api/desk/form")).photo_max_bytes;
  $("view-entry").replaceChildren(build());
  $("e-source").addEventListener("change", showSource);
  let timer = null;
  $("e-compound").addEventListener("input", (ev) => {
    clearTimeout(timer);
    timer = setTimeout(() => findCompounds(ev.target.value).catch((e) => say(e.message, true)), 200);
  });
  showSource();
}
