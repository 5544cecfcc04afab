// The resident page: pick a compound / board / my location, a walking profile and a content
// area; see services by walking minutes, a facility's details and the way there.
// Every string comes from /api/i18n; every user or data string is set with textContent.
import { getJSON, loadMessages, t, translatePage } from "/static/api.js";

const PAGE = 30; // list rows shown before "show more"
const state = {
  lang: "zh", profile: "standard", filter: null, origin: null, access: null,
  area: null, taxonomy: null, types: {}, areas: {}, shown: PAGE, map: null,
};
const $ = (id) => document.getElementById(id);

function pickLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  const cookie = document.cookie.match(/(?:^|; )lang=(zh|en)/);
  return asked || (cookie && cookie[1]) || ""; // "" = let the server read Accept-Language
}

function showError(error) {
  $("status").textContent = t("web.error", { message: error.message });
}

function minutesText(value) {
  if (value === null || value === undefined) return t("web.unknown");
  return state.access && state.access.unit === "m" ? t("web.metres", { n: value }) : t("web.minutes", { n: value });
}

function typeName(code) {
  const type = state.types[code];
  return type ? (state.lang === "zh" ? type.name_zh : type.name_en) : code;
}

function areaName(area) {
  return state.lang === "zh" ? area.name_zh : area.name_en;
}

// ---- chips, profiles ----------------------------------------------------------------------

function renderChips() {
  const box = $("chips");
  box.replaceChildren();
  const all = [{ code: null, label: t("web.filter.all"), color: null }].concat(
    state.taxonomy.areas.map((a) => ({ code: a.code, label: areaName(a), color: a.color })),
  );
  for (const chip of all) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.area = chip.code || "";
    button.setAttribute("aria-pressed", String(state.filter === chip.code));
    if (chip.color) {
      const dot = document.createElement("span");
      dot.className = "dot";
      dot.style.background = chip.color;
      button.append(dot);
    }
    button.append(document.createTextNode(chip.label));
    button.addEventListener("click", () => { state.filter = chip.code; state.shown = PAGE; renderChips(); renderList(); });
    box.append(button);
  }
}

function renderProfiles() {
  for (const button of $("profiles").querySelectorAll("button")) {
    button.setAttribute("aria-checked", String(button.dataset.profile === state.profile));
  }
}

// ---- list -----------------------------------------------------------------------------------

function visibleFacilities() {
  const all = state.access ? state.access.facilities : [];
  return state.filter ? all.filter((f) => f.area === state.filter) : all;
}

function renderList() {
  const list = $("list");
  list.replaceChildren();
  if (!state.access) {
    $("list-title").textContent = "";
    $("list-count").textContent = t("web.choose");
    $("more").hidden = true;
    return;
  }
  const rows = visibleFacilities();
  $("list-title").textContent = t("web.list.title", { origin: originName() });
  $("list-count").textContent = rows.length ? t("web.list.count", { n: rows.length }) : t("web.list.empty");
  for (const f of rows.slice(0, state.shown)) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.facility = f.id;
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.style.background = (state.areas[f.area] || {}).color || "#666";
    const text = document.createElement("span");
    const name = document.createElement("span");
    name.textContent = f.name;
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = typeName(f.type);
    text.append(name, what);
    const min = document.createElement("span");
    min.className = "min";
    min.textContent = minutesText(f.minutes);
    button.append(dot, text, min);
    button.addEventListener("click", () => openFacility(f.id));
    li.append(button);
    list.append(li);
  }
  $("more").hidden = rows.length <= state.shown;
  if (state.map) {
    const features = rows.map((f) => ({
      type: "Feature",
      properties: { id: f.id, area: f.area, chosen: f.id === state.chosen },
      geometry: { type: "Point", coordinates: [f.lon, f.lat] },
    }));
    state.map.set("facilities", { type: "FeatureCollection", features });
  }
}

function originName() {
  const o = state.access.origin;
  return o.kind === "point" ? t("web.locate.here") : o.name;
}

// ---- choosing where from ----------------------------------------------------------------------

function accessUrl() {
  const o = state.origin;
  const q = `profile=${state.profile}`;
  if (o.kind === "compound") return `/api/access/compound/${encodeURIComponent(o.id)}?${q}`;
  if (o.kind === "board") return `/api/access/board/${encodeURIComponent(o.id)}?${q}`;
  return `/api/access/point?lon=${o.lon}&lat=${o.lat}&${q}`;
}

async function loadAccess({ fit = false } = {}) {
  if (!state.origin) return renderList();
  $("status").textContent = "";
  $("list-count").textContent = t("web.loading");
  try {
    state.access = await getJSON(accessUrl());
  } catch (error) {
    state.access = null;
    renderList();
    return showError(error);
  }
  state.shown = PAGE;
  document.body.dataset.profile = state.profile;
  renderList();
  closeSheet();
  if (state.map) {
    document.body.dataset.mapDrawn = "0";
    const o = state.access.origin;
    state.map.set("areas", state.access.areas);
    state.map.set("route", null);
    state.map.showOrigin(o, t("web.you_are_here"));
    if (fit) {
      // the 5-minute area: centred on where one stands, close enough to read the streets
      const areas = state.access.areas.features;
      const inner = areas[areas.length - 1];
      const coords = inner ? positions(inner.geometry.coordinates) : [];
      await state.map.fit(coords.length ? coords : [[o.lon, o.lat]]);
    }
    state.map.idle().then(() => { document.body.dataset.mapDrawn = "1"; });
  }
}

// Every [lon, lat] of a GeoJSON coordinates array, however deeply nested.
function positions(coords) {
  if (typeof coords[0] === "number") return [coords];
  return coords.flatMap(positions);
}

async function search(text) {
  const box = $("search-results");
  box.replaceChildren();
  if (!text.trim()) { box.hidden = true; return; }
  let found = [];
  try {
    found = await getJSON(`/api/compounds?q=${encodeURIComponent(text.trim())}`);
  } catch (error) { return showError(error); }
  if (!found.length) {
    const li = document.createElement("li");
    li.textContent = t("web.search.none");
    box.append(li);
  }
  for (const c of found.slice(0, 20)) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("role", "option");
    button.textContent = c.community ? t("web.search.item", { name: c.name, community: c.community }) : c.name;
    button.addEventListener("click", () => {
      box.hidden = true;
      $("search").value = c.name;
      state.origin = { kind: "compound", id: c.id };
      history.replaceState(null, "", `/?compound=${encodeURIComponent(c.id)}`);
      loadAccess({ fit: true });
    });
    li.append(button);
    box.append(li);
  }
  box.hidden = false;
}

function locate() {
  if (!navigator.geolocation) return showError(new Error("geolocation"));
  $("locate").textContent = t("web.locate.busy");
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      $("locate").textContent = t("web.locate");
      state.origin = { kind: "point", lon: pos.coords.longitude, lat: pos.coords.latitude };
      loadAccess({ fit: true });
    },
    (err) => {
      $("locate").textContent = t("web.locate");
      $("status").textContent = t("web.locate.failed", { reason: err.message });
    },
    { enableHighAccuracy: true, timeout: 15000 },
  );
}

// ---- facility sheet ------------------------------------------------------------------------

function fact(dl, label, value) {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value || t("web.unknown");
  dl.append(dt, dd);
}

function routeUrl(id) {
  const o = state.origin;
  let from = `compound=${encodeURIComponent(o.id)}`;
  if (o.kind === "board") from = `board=${encodeURIComponent(o.id)}`;
  if (o.kind === "point") from = `from_lon=${o.lon}&from_lat=${o.lat}`;
  return `/api/route?${from}&facility=${encodeURIComponent(id)}&profile=${state.profile}`;
}

async function openFacility(id) {
  const row = (state.access ? state.access.facilities : []).find((f) => f.id === id);
  let facility;
  try {
    facility = await getJSON(`/api/facilities/${encodeURIComponent(id)}`);
  } catch (error) { return showError(error); }
  state.chosen = id;
  const sheet = $("sheet");
  sheet.dataset.facility = id;
  $("sheet-name").textContent = facility.name;
  const open = $("sheet-open");
  open.textContent = t(`web.open.${facility.open_now}`);
  open.className = `open is-${facility.open_now}`;
  const dl = $("sheet-facts");
  dl.replaceChildren();
  fact(dl, t("web.sheet.type"), typeName(facility.type));
  fact(dl, t("web.sheet.walk"), row ? minutesText(row.minutes) : "");
  fact(dl, t("web.sheet.address"), facility.address);
  fact(dl, t("web.sheet.hours"), facility.opening_hours);
  fact(dl, t("web.sheet.phone"), facility.phone);
  fact(dl, t("web.sheet.source"), facility.source);
  const call = $("sheet-call");
  call.hidden = !facility.phone;
  if (facility.phone) {
    call.href = `tel:${facility.phone.replace(/[^\d+]/g, "")}`;
    call.textContent = t("web.sheet.call", { phone: facility.phone });
  }
  $("sheet-route").textContent = "";
  sheet.hidden = false;
  renderList();
  if (state.origin) await drawRoute(id);
}

async function drawRoute(id) {
  try {
    const route = await getJSON(routeUrl(id));
    const p = route.properties;
    $("sheet-route").textContent = t("web.sheet.route", { minutes: p.minutes, metres: Math.round(p.length_m) });
    $("sheet").dataset.routeMinutes = String(p.minutes);
    if (state.map) {
      state.map.set("route", { type: "FeatureCollection", features: [route] });
      state.map.fit(route.geometry.coordinates, { padding: 60 });
    }
  } catch (error) {
    $("sheet-route").textContent = t("web.sheet.no_route");
  }
}

function closeSheet() {
  $("sheet").hidden = true;
  state.chosen = null;
  if (state.map) state.map.set("route", null);
}

// ---- start ----------------------------------------------------------------------------------

function startMap(AreaMap) {
  try {
    state.map = new AreaMap($("map"), { area: state.area, taxonomy: state.taxonomy, onFacility: openFacility });
  } catch (error) {
    $("map").hidden = true;
    $("map-note").hidden = false;
    $("map-note").textContent = t("web.no_map");
  }
}

function originFromAddress() {
  const board = location.pathname.match(/^\/b\/([^/]+)/);
  if (board) return { kind: "board", id: decodeURIComponent(board[1]) };
  const compound = new URLSearchParams(location.search).get("compound");
  return compound ? { kind: "compound", id: compound } : null;
}

function wire() {
  let timer = null;
  $("search").addEventListener("input", (ev) => {
    clearTimeout(timer);
    timer = setTimeout(() => search(ev.target.value), 200);
  });
  $("locate").addEventListener("click", locate);
  for (const button of $("profiles").querySelectorAll("button")) {
    button.addEventListener("click", () => {
      state.profile = button.dataset.profile;
      renderProfiles();
      loadAccess();
    });
  }
  $("more").addEventListener("click", () => { state.shown += PAGE; renderList(); });
  $("sheet-close").addEventListener("click", () => { closeSheet(); renderList(); });
  $("lang").addEventListener("click", () => {
    document.cookie = `lang=${state.lang === "zh" ? "en" : "zh"}; path=/; max-age=31536000`;
    const url = new URL(location.href);
    url.searchParams.delete("lang");
    location.href = url.toString();
  });
}

async function main() {
  state.lang = pickLang();
  try {
    state.lang = await loadMessages(state.lang);
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    const [areas, taxonomy] = await Promise.all([getJSON("/api/areas"), getJSON("/api/taxonomy")]);
    state.area = areas[0];
    state.taxonomy = taxonomy;
    for (const type of taxonomy.types) state.types[type.code] = type;
    for (const area of taxonomy.areas) state.areas[area.code] = area;
  } catch (error) {
    return showError(error);
  }
  translatePage();
  document.title = `${state.area.name} · ${t("web.title")}`;
  $("title").textContent = state.area.name;
  if (state.area.notice) { // a demo says what its data is, on every face
    $("notice").textContent = state.area.notice;
    $("notice").hidden = false;
  }
  $("lang").textContent = t("web.lang_switch");
  $("lang").setAttribute("aria-label", t("web.lang_switch_label"));
  $("data-date").textContent = t("web.data_date", { date: state.area.data_date.slice(0, 10) });
  renderChips();
  renderProfiles();
  wire();
  try {
    const { AreaMap } = await import("/static/map.js");
    startMap(AreaMap);
  } catch (error) {
    startMap(() => { throw error; });
  }
  state.origin = originFromAddress();
  await loadAccess({ fit: true });
  const shared = new URLSearchParams(location.search).get("facility"); // a shared link
  if (shared) await openFacility(shared);
  document.body.dataset.ready = "1";
}

main();
