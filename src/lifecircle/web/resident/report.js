// report a problem: a resident reports a problem to their grid (the grid desk). Category, what happened,
// where (the compound chosen on the page, another one found by name, a point on the map or
// "my location"), an optional photo (type and size checked here and again on the server), an
// optional phone; anonymous by default. Open cases of the same category nearby are shown first
// so the resident can join one; after filing, the case link (/c/<token>) to keep.
// Every string from /api/i18n; every user or data string set with textContent.
import { getJSON, t } from "./api.js";

const $ = (id) => document.getElementById(id);
const form = { settings: null, category: null, compound: null, point: null, ctx: null, busy: false };

function el(tag, text = "", attrs = {}) {
  const node = document.createElement(tag);
  if (text !== "") node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

function problem(text) {
  $("report-problem").textContent = text;
  $("report-problem").hidden = !text;
  if (text) $("report-problem").scrollIntoView({ block: "nearest" });
}

// ---- categories ----------------------------------------------------------------------------

function renderCategories() {
  const box = $("report-categories");
  box.replaceChildren();
  for (const c of form.settings.categories) {
    const button = el("button", c.name, { type: "button", role: "radio", "data-code": c.code });
    button.setAttribute("aria-checked", String(form.category === c.code));
    button.addEventListener("click", () => { form.category = c.code; renderCategories(); problem(""); });
    box.append(button);
  }
}

// ---- where -----------------------------------------------------------------------------------

function renderWhere() {
  const c = form.compound;
  const p = form.point;
  $("report-where").textContent = c
    ? t("web.report.where_compound", { name: c.name })
    : p ? t("web.report.where_point", { lon: p.lon.toFixed(5), lat: p.lat.toFixed(5) })
      : t("web.report.where_none");
  $("report-unit-row").hidden = !c;
}

function chooseCompound(c) {
  form.compound = { id: c.id, name: c.name, lon: c.lon, lat: c.lat };
  form.point = null;
  $("report-search").value = "";
  $("report-found").replaceChildren();
  renderWhere();
}

async function searchCompounds(text) {
  const box = $("report-found");
  box.replaceChildren();
  if (!text.trim()) return;
  const found = await getJSON(form.ctx.api(`/api/compounds?q=${encodeURIComponent(text.trim())}`));
  if (!found.length) box.append(el("li", t("web.search.none")));
  for (const c of found.slice(0, 8)) {
    const button = el("button", c.community ? t("web.search.item", { name: c.name, community: c.community }) : c.name, { type: "button" });
    button.addEventListener("click", () => chooseCompound(c));
    const li = el("li");
    li.append(button);
    box.append(li);
  }
}

function usePoint(lon, lat) {
  form.point = { lon, lat };
  form.compound = null;
  renderWhere();
}

function locate() {
  if (!navigator.geolocation) return problem(t("web.report.no_location"));
  navigator.geolocation.getCurrentPosition(
    (pos) => usePoint(pos.coords.longitude, pos.coords.latitude),
    (err) => problem(t("web.locate.failed", { reason: err.message })),
    { enableHighAccuracy: true, timeout: 15000 },
  );
}

// The page's own map takes the next tap as the place; the form waits behind it.
function pickOnMap() {
  const map = form.ctx.map();
  if (!map) return problem(t("web.no_map"));
  $("report").hidden = true;
  $("report-pick").hidden = false;
  document.body.dataset.picking = "1";
  map.resize();
  map.pick((lngLat) => {
    usePoint(lngLat.lng, lngLat.lat);
    endPick();
  });
}

function endPick() {
  const map = form.ctx.map();
  if (map) { map.pick(null); map.resize(); }
  delete document.body.dataset.picking;
  $("report-pick").hidden = true;
  $("report").hidden = false;
}

// ---- photo -----------------------------------------------------------------------------------

function checkPhoto() {
  const file = $("report-photo").files[0];
  if (!file) return true;
  const mb = (form.settings.photo_max_bytes / 1e6).toFixed(0);
  if (!form.settings.photo_types.includes(file.type)) {
    problem(t("web.report.photo_type"));
    return false;
  }
  if (file.size > form.settings.photo_max_bytes) {
    problem(t("web.report.photo_size", { mb }));
    return false;
  }
  return true;
}

// ---- send ------------------------------------------------------------------------------------

function where() {
  if (form.compound) return { lon: form.compound.lon, lat: form.compound.lat };
  return form.point;
}

// The first thing missing, said in the form (false), or true when the form may be sent.
function checked() {
  let missing = "";
  if (!form.category) missing = "web.report.need_category";
  else if (!$("report-details").value.trim()) missing = "web.report.need_details";
  else if (!where()) missing = "web.report.need_where";
  if (missing) {
    problem(t(missing));
    return false;
  }
  return checkPhoto();
}

function body(extra) {
  const data = new FormData();
  data.set("category", form.category);
  data.set("details", $("report-details").value.trim());
  const at = where();
  if (form.compound) {
    data.set("compound", form.compound.id);
    data.set("building", $("report-building").value.trim());
    data.set("unit", $("report-unit").value.trim());
  } else {
    data.set("lon", String(at.lon));
    data.set("lat", String(at.lat));
  }
  const phone = $("report-phone").value.trim();
  if (phone) data.set("phone", phone);
  const photo = $("report-photo").files[0];
  if (photo) data.set("photo", photo);
  for (const [name, value] of Object.entries(extra)) data.set(name, String(value));
  return data;
}

async function post(extra) {
  const response = await fetch(form.ctx.api("/api/desk/requests"), {
    method: "POST", body: body(extra), headers: { Accept: "application/json" },
  });
  const answer = await response.json().catch(() => null);
  return { status: response.status, answer };
}

async function submit(extra = {}) {
  if (form.busy || !checked()) return;
  form.busy = true;
  $("report-send").disabled = true;
  problem("");
  try {
    if (!extra.join && !extra.not_duplicate) {
      const at = where();
      const near = await getJSON(form.ctx.api(
        `/api/desk/nearby?category=${encodeURIComponent(form.category)}&lon=${at.lon}&lat=${at.lat}`));
      if (near.length) return showNearby(near);
      extra = { not_duplicate: true };
    }
    const { status, answer } = await post(extra);
    if (status === 409 && answer && answer.error) return showNearby(answer.error.details);
    if (status !== 201) {
      return problem(answer && answer.error ? answer.error.message : t("web.error", { message: `HTTP ${status}` }));
    }
    showFiled(answer);
  } catch (error) {
    problem(t("web.error", { message: error.message }));
  } finally {
    form.busy = false;
    $("report-send").disabled = false;
  }
}

// Open cases of the same kind nearby: join one (the answer to it answers me) or file anew.
function showNearby(cases) {
  const list = $("report-nearby-list");
  list.replaceChildren();
  $("report-nearby-title").textContent = t("web.report.nearby_title", { n: cases.length });
  for (const c of cases) {
    const li = el("li");
    li.append(el("p", c.summary, { class: "what-near" }));
    li.append(el("p", t("web.report.nearby_line", {
      state: t(`desk.state.${c.state}`), metres: Math.round(c.distance_m), date: (c.received_at || "").slice(0, 10),
    }), { class: "muted" }));
    const join = el("button", t("web.report.join"), { type: "button", class: "wide", "data-case": c.case_id });
    join.addEventListener("click", () => submit({ join: c.case_id }));
    li.append(join);
    list.append(li);
  }
  $("report-nearby").hidden = false;
  $("report-nearby").scrollIntoView({ block: "start" });
}

function showFiled(answer) {
  const link = new URL(`/c/${encodeURIComponent(answer.token)}`, location.href).toString();
  $("report-form").hidden = true;
  $("report-nearby").hidden = true;
  $("report-done").hidden = false;
  $("report-done-text").textContent = answer.duplicate_of
    ? t("web.report.done_joined", { id: answer.duplicate_of })
    : t("web.report.done", { id: answer.case_id, grid: answer.grid_name || "—" });
  const a = $("report-link");
  a.href = link;
  a.textContent = link;
  $("report-due").textContent = answer.due_resolution_at
    ? t("web.report.due", { date: answer.due_resolution_at.slice(0, 16).replace("T", " ") }) : "";
  document.body.dataset.reported = answer.token;
  try { localStorage.setItem("lifecircle.lastCase", link); } catch { /* private mode */ }
}

async function copyLink() {
  try {
    await navigator.clipboard.writeText($("report-link").href);
    $("report-copy").textContent = t("web.report.copied");
  } catch {
    $("report-copy").textContent = t("web.report.copy_failed");
  }
}

// ---- open, close -----------------------------------------------------------------------------

function reset() {
  form.category = null;
  $("report-details").value = "";
  $("report-photo").value = "";
  $("report-phone").value = "";
  $("report-building").value = "";
  $("report-unit").value = "";
  $("report-form").hidden = false;
  $("report-nearby").hidden = true;
  $("report-done").hidden = true;
  $("report-copy").textContent = t("web.report.copy");
  problem("");
}

async function open() {
  try {
    form.settings = form.settings || await getJSON(form.ctx.api("/api/desk/form"));
  } catch (error) {
    return form.ctx.onError(error);
  }
  reset();
  const origin = form.ctx.origin();
  form.compound = origin && origin.kind === "compound" ? origin : null;
  form.point = !form.compound && origin ? { lon: origin.lon, lat: origin.lat } : null;
  renderCategories();
  renderWhere();
  $("report").hidden = false;
  document.body.dataset.report = "open";
  $("report-title").focus();
}

function close() {
  $("report").hidden = true;
  delete document.body.dataset.report;
  $("report-open").focus();
}

// ctx: api(path) with the page language; origin() the compound ({kind, id, name, lon, lat}) or
// point the page answers for, or null; map() the AreaMap (or null); onError(error).
export function wireReport(ctx) {
  form.ctx = ctx;
  $("report-open").addEventListener("click", open);
  $("report-close").addEventListener("click", close);
  $("report-done-close").addEventListener("click", close);
  $("report-send").addEventListener("click", () => submit());
  $("report-new").addEventListener("click", () => submit({ not_duplicate: true }));
  $("report-locate").addEventListener("click", locate);
  $("report-map").addEventListener("click", pickOnMap);
  $("report-pick-cancel").addEventListener("click", endPick);
  $("report-photo").addEventListener("change", () => { if (checkPhoto()) problem(""); else $("report-photo").value = ""; });
  $("report-copy").addEventListener("click", copyLink);
  let timer = null;
  $("report-search").addEventListener("input", (ev) => {
    clearTimeout(timer);
    timer = setTimeout(() => searchCompounds(ev.target.value).catch((e) => problem(e.message)), 200);
  });
}

// N problems raised in 30 days, M handled — for the compound (or board) the page answers for.
export async function showCaseCount(origin, api) {
  const line = $("case-count");
  line.hidden = true;
  if (!origin || origin.kind === "point") return;
  const path = origin.kind === "board" ? "board" : "compound";
  try {
    const answer = await getJSON(api(`/api/desk/summary/${path}/${encodeURIComponent(origin.id)}`));
    line.textContent = answer.text;
    line.dataset.cases = String(answer.cases);
    line.dataset.done = String(answer.done);
    line.hidden = false;
  } catch { /* no desk data for this place: say nothing */ }
}
