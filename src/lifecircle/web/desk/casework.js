// One case on the desk: its facts (the reporter's phone masked; revealing it asks why and is
// logged), photos, whistle departments, walking links and every event; below, the next steps the
// state machine allows for this user's role (the server's list — anything else is refused by
// the server with its own message), each with the fields it needs.
import { t } from "/static/api.js";
import { $, call, el, say, when } from "/shared/core.js";
import { clockText, desk, uploadPhoto } from "/desk/common.js";
import { sentence } from "/desk/history.js";
import { walkingPanel } from "/desk/walklink.js";

//: The fields of each step's form (the API's StepBody); "note!" is a required note.
const FIELDS = {
  dispatch: ["grid"],
  return: ["grid", "note!"],
  respond: ["note!"],
  reply: ["note!"],
  note: ["note!", "visibility"],
  summarise: ["summary"],
  visit: ["note", "people_met", "photos"],
  whistle: ["departments", "note!"],
  report_in: ["department", "note"],
  mediate: ["parties", "agreement", "note!"],
  request_extension: ["days", "note!"],
  decide_extension: ["approve", "note!"],
  hold: ["note!"],
  resume: ["note"],
  finish: ["note!", "photos"],
  close: ["note!"],
  reopen: ["note!"],
  merge: ["into", "note!"],
};
//: The usual next step in each state: offered first and highlighted.
const MAIN = { received: "dispatch", dispatched: "respond", responded: "visit", in_progress: "finish", on_hold: "resume", done: "close" };
//: Steps whose note the resident reads on the case page.
const PUBLIC_NOTE = new Set(["respond", "reply", "finish"]);
const work = { case: null, grids: null, form: null, photoMax: 0, onChanged: () => {} };

function fact(dl, key, value) {
  if (value === null || value === undefined || value === "") return;
  dl.append(el("dt", t(key)), el("dd", value));
}

function factsOf(c) {
  const dl = el("dl", "", { class: "facts" });
  fact(dl, "web.desk.f.source", t(`web.desk.source.${c.source}`));
  fact(dl, "web.desk.f.grid", [c.grid, c.microgrid].filter(Boolean).join(" / "));
  fact(dl, "web.desk.f.place", c.place);
  fact(dl, "web.desk.f.building", [c.building, c.unit].filter(Boolean).join(" "));
  fact(dl, "web.desk.f.address", c.address);
  fact(dl, "web.desk.f.received", when(c.received_at));
  fact(dl, "web.desk.f.due_response", when(c.due_response_at));
  fact(dl, "web.desk.f.first_response", c.first_response_at ? when(c.first_response_at) : t("web.desk.not_yet"));
  fact(dl, "web.desk.f.due_resolution", when(c.due_resolution_at));
  fact(dl, "web.desk.f.assignee", c.assignee);
  fact(dl, "web.desk.f.channel", c.channel_ref);
  if (c.outside_grid_m) fact(dl, "web.desk.f.outside", t("web.desk.outside", { m: Math.round(c.outside_grid_m) }));
  if (c.callback) {
    fact(dl, "web.desk.f.callback", t("web.case.feedback_given", {
      solved: t(c.callback.solved ? "web.case.solved_yes" : "web.case.solved_no"),
      satisfaction: t(`web.case.${c.callback.satisfaction}`),
    }) + (c.callback.comment ? ` — ${c.callback.comment}` : ""));
  }
  return dl;
}

// The reporter: name and masked phone; the clear number only after a logged reason.
function reporterOf(c) {
  const box = el("div", "", { class: "reporter" });
  if (!c.has_contact && !c.reporter_name) {
    box.append(el("p", t("web.desk.anonymous"), { class: "muted" }));
    return box;
  }
  box.append(el("p", t("web.desk.reporter", { name: c.reporter_name || "—", phone: c.reporter_phone || "—" })));
  if (!c.has_contact || c.role === "helper") return box;
  const form = el("form", "", { class: "reveal" });
  const input = el("input", "", { id: "reveal-reason", maxlength: "200", required: "", placeholder: t("web.desk.reveal_reason") });
  input.setAttribute("aria-label", t("web.desk.reveal_reason"));
  form.append(input, el("button", t("web.desk.reveal"), { type: "submit" }));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const answer = await call("POST", `/api/desk/cases/${c.id}/contact`, { reason: input.value });
      const shown = el("p", "", { class: "revealed" });
      if (answer.phone) shown.append(el("a", answer.phone, { href: `tel:${answer.phone.replace(/[^\d+]/g, "")}` }));
      if (answer.email) shown.append(" ", el("span", answer.email));
      form.replaceWith(shown, el("p", t("web.desk.reveal_logged"), { class: "muted" }));
    } catch (err) { say(err.message, true); }
  });
  box.append(form);
  return box;
}

function photosOf(c, names) {
  const box = el("div", "", { class: "photos" });
  for (const name of names) {
    const a = el("a", "", { href: `/api/desk/cases/${c.id}/photos/${name}`, target: "_blank" });
    a.append(el("img", "", { src: `/api/desk/cases/${c.id}/photos/${name}`, alt: t("web.desk.photo"), loading: "lazy" }));
    box.append(a);
  }
  return box;
}

function summonsOf(c) {
  const ul = el("ul", "", { class: "summons" });
  for (const s of c.summons) {
    const state = s.reported_at
      ? t(s.on_time ? "web.desk.reported_on_time" : "web.desk.reported_late", { at: when(s.reported_at) })
      : t("web.desk.report_due", { at: when(s.due_at) });
    ul.append(el("li", `${s.department_name}: ${state}`));
  }
  return ul;
}

function eventOf(c, e) {
  const li = el("li", "", { class: `event v-${e.visibility}`, "data-action": e.action });
  const head = el("p", "", { class: "event-head" });
  head.append(el("span", sentence(e, work.grids), { class: "sentence", title: t(`desk.role.${e.actor_role}`) }));
  if (e.visibility === "public") head.append(" ", el("span", t("web.desk.public"), { class: "tag" }));
  li.append(head);
  if (e.hidden) li.append(el("p", t("web.desk.restricted"), { class: "muted" }));
  if (e.note) li.append(el("p", e.note, { class: "event-note" }));
  if (e.photos.length) li.append(photosOf(c, e.photos));
  return li;
}

// ---- the next steps --------------------------------------------------------------------------

function field(name, c) {
  const wrap = el("div", "", { class: "field" });
  const base = name.replace("!", "");
  const id = `step-${base}`;
  const label = (key) => wrap.append(el("label", t(key), { for: id }));
  if (base === "note") {
    label(name.endsWith("!") ? "web.desk.step.note_required" : "web.desk.step.note");
    wrap.append(el("textarea", "", { id, rows: "3", maxlength: "2000" }));
  } else if (base === "visibility") {
    label("web.desk.step.visibility");
    const select = el("select", "", { id });
    select.append(el("option", t("web.desk.visibility.staff"), { value: "staff" }), el("option", t("web.desk.visibility.restricted"), { value: "restricted" }));
    wrap.append(select);
  } else if (base === "grid") {
    label("web.desk.step.grid");
    const select = el("select", "", { id });
    for (const g of work.grids || []) if (g.code !== c.grid) select.append(el("option", `${g.name} (${g.code})`, { value: g.code }));
    wrap.append(select);
  } else if (base === "departments") {
    wrap.append(el("p", t("web.desk.step.departments"), { class: "label" }));
    const box = el("div", "", { class: "checks", id });
    for (const d of desk.me.departments) {
      const l = el("label", "", { class: "check" });
      l.append(el("input", "", { type: "checkbox", value: d.code }), el("span", d.name));
      box.append(l);
    }
    wrap.append(box);
  } else if (base === "department") {
    label("web.desk.step.department");
    const select = el("select", "", { id });
    for (const s of c.summons.filter((x) => !x.reported_at)) select.append(el("option", s.department_name, { value: s.department }));
    wrap.append(select);
  } else if (base === "approve") {
    label("web.desk.step.approve");
    const select = el("select", "", { id });
    select.append(el("option", t("web.desk.approve.yes"), { value: "true" }), el("option", t("web.desk.approve.no"), { value: "false" }));
    wrap.append(select);
  } else if (base === "photos") {
    label("web.desk.step.photos");
    wrap.append(el("input", "", { id, type: "file", accept: "image/jpeg,image/png,image/webp", multiple: "" }));
  } else {
    const type = ["days", "into"].includes(base) ? "number" : "text";
    label(`web.desk.step.${base}`);
    wrap.append(el("input", "", { id, type, maxlength: "300", min: "1" }));
  }
  return wrap;
}

async function stepValues(action) {
  const body = { action };
  const value = (name) => $(`step-${name}`).value.trim();
  for (const spec of FIELDS[action]) {
    const name = spec.replace("!", "");
    if (name === "departments") {
      body.departments = [...$("step-departments").querySelectorAll("input:checked")].map((i) => i.value);
    } else if (name === "photos") {
      const files = [...$("step-photos").files];
      body.photos = [];
      for (const file of files) body.photos.push(await uploadPhoto(file, work.photoMax));
    } else if (name === "approve") body.approve = value("approve") === "true";
    else if (["days", "into"].includes(name)) body[name] = value(name) ? Number(value(name)) : null;
    else body[name] = value(name);
  }
  return body;
}

function openStep(action, c) {
  const form = el("form", "", { class: "card step", id: "step-form", "data-action": action });
  form.append(el("h3", t(`desk.action.${action}`)));
  if (PUBLIC_NOTE.has(action)) form.append(el("p", t("web.desk.step.public_hint"), { class: "hint" }));
  for (const spec of FIELDS[action] || ["note"]) form.append(field(spec, c));
  const row = el("div", "", { class: "row" });
  const send = el("button", t("web.desk.step.send"), { type: "submit", class: "primary" });
  const cancel = el("button", t("web.desk.step.cancel"), { type: "button" });
  cancel.addEventListener("click", () => form.remove());
  row.append(send, cancel);
  form.append(row);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    send.disabled = true;
    try {
      const updated = await call("POST", `/api/desk/cases/${c.id}/events`, await stepValues(action));
      say(t("web.desk.step.done", { action: t(`desk.action.${action}`), state: updated.state_name }));
      render(updated);
      work.onChanged();
    } catch (err) {
      say(err.message, true);
      send.disabled = false;
    }
  });
  $("step-form")?.remove();
  $("steps").after(form);
  form.querySelector("textarea, input, select")?.focus();
}

function stepsOf(c) {
  const box = el("div", "", { class: "step-buttons", id: "steps" });
  const main = MAIN[c.state];
  const shown = c.actions.filter((a) => FIELDS[a]).sort((a, b) => (b === main) - (a === main));
  for (const action of shown) {
    const b = el("button", t(`desk.action.${action}`), { type: "button", "data-step": action });
    if (action === main) b.classList.add("primary");
    b.addEventListener("click", () => openStep(action, c));
    box.append(b);
  }
  if (!shown.length) box.append(el("p", t("web.desk.no_steps"), { class: "muted" }));
  return box;
}

// ---- the whole case ----------------------------------------------------------------------------

// Where the case is, on the area's base map (loaded only when a case has a point).
function mapOf(c) {
  if (c.lon === null || c.lat === null || c.lon === undefined || c.lat === undefined) return null;
  const box = el("div", "", { class: "case-map", id: "case-map", role: "img", "aria-label": t("web.desk.map") });
  import("/shared/basemap.js")
    .then(({ placeMap }) => placeMap(box, { lon: c.lon, lat: c.lat, attribution: t("web.osm") }))
    .then(() => { box.dataset.ready = "true"; })
    .catch((err) => say(err.message, true));
  return section("web.desk.map", box);
}

function section(titleKey, ...children) {
  const s = el("section", "", { class: "part" });
  s.append(el("h3", t(titleKey)), ...children);
  return s;
}

export function render(c) {
  work.case = c;
  const box = $("case");
  $("case-map")?.placeMap?.remove(); // the map drawn for the last render gives back its WebGL
  box.dataset.case = c.id;
  box.dataset.state = c.state;
  const head = el("div", "", { class: "case-head" });
  head.append(el("h2", `#${c.id} ${c.category_name}`), el("span", c.state_name, { class: `state s-${c.state}` }));
  const clock = c.open && !c.on_hold ? clockText(c.due_resolution_at) : { text: "" };
  if (clock.text) head.append(el("span", clock.text, { class: c.overdue ? "clock late" : "clock" }));
  if (c.private) head.append(el("span", t("web.desk.private"), { class: "tag" }));
  const parts = [head];
  if (c.summary) parts.push(el("p", c.summary, { class: "summary" }));
  parts.push(section("web.desk.next", stepsOf(c)));
  parts.push(section("web.desk.details", el("p", c.details || "—", { class: "details" }), reporterOf(c), factsOf(c)));
  const where = mapOf(c);
  if (where) parts.push(where);
  if (c.photos.length) parts.push(section("web.desk.photos", photosOf(c, c.photos)));
  if (c.summons.length) parts.push(section("web.desk.summons", summonsOf(c)));
  const walking = walkingPanel(c, { onDone: (updated) => { render(updated); work.onChanged(); } });
  if (walking) parts.push(walking);
  const events = el("ol", "", { class: "events" });
  events.append(...c.events.map((e) => eventOf(c, e)));
  parts.push(section("web.desk.history", events));
  box.replaceChildren(...parts);
}

// Show case `id` (its read is logged on the server); onChanged() after any step.
export async function openCase(id, { onChanged }) {
  work.onChanged = onChanged;
  const [c, grids, form] = await Promise.all([
    call("GET", `/api/desk/cases/${id}`),
    work.grids ? work.grids : call("GET", "/api/desk/grids"),
    work.photoMax ? null : call("GET", "/api/desk/form"),
  ]);
  work.grids = grids;
  if (form) work.photoMax = form.photo_max_bytes;
  render(c);
  history.replaceState(null, "", `/desk/?case=${id}`);
}
