// Staff editor: login, the map with draggable facility markers, the facility form.
// All text comes from /api/i18n (staff.* keys); data is only ever put in the page as text.
import * as maplibregl from "/vendor/maplibre/maplibre-gl.mjs";
import { loadMessages, t, translatePage } from "/static/api.js";
import { setupTools } from "/staff/tools.js";
import { showCases } from "/staff/cases.js";

const $ = (id) => document.getElementById(id);
export const state = {
  csrf: "", user: null, lang: "zh", facilities: [], chosen: null, newPoint: null,
  markers: new Map(), map: null, onMapClick: null, types: [],
};

// One element with text content (never HTML) and attributes.
export function el(tag, text = "", attrs = {}) {
  const node = document.createElement(tag);
  if (text !== "") node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

export function say(text, error = false) {
  const box = $("status");
  box.textContent = text;
  box.classList.toggle("error", error);
}

// Call the staff API; writes carry the CSRF token; errors throw with the server's message.
export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new Error(t("staff.error.network"));
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && state.user) showLogin();
    throw new Error(answer && answer.error ? answer.error.message : `HTTP ${response.status}`);
  }
  return answer;
}

function showLogin() {
  state.user = null;
  $("editor").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login").hidden = false;
}

async function login(event) {
  event.preventDefault();
  try {
    const answer = await call("POST", "/api/staff/login", {
      name: $("login-name").value, password: $("login-password").value,
    });
    $("login-password").value = "";
    await startEditor(answer);
  } catch (err) {
    say(err.message, true);
  }
}

async function logout() {
  const answer = await call("POST", "/api/staff/logout");
  state.csrf = answer.csrf_token;
  showLogin();
  say(t("staff.logged_out"));
}

// ---- map ---------------------------------------------------------------------------------

function mapStyle() {
  const empty = { type: "FeatureCollection", features: [] };
  return {
    version: 8,
    sources: {
      streets: { type: "geojson", data: "/api/basemap/streets" },
      buildings: { type: "geojson", data: "/api/basemap/buildings" },
      water: { type: "geojson", data: "/api/basemap/water" },
      others: { type: "geojson", data: empty },
    },
    layers: [
      { id: "bg", type: "background", paint: { "background-color": "#f2efe9" } },
      { id: "water", type: "fill", source: "water", paint: { "fill-color": "#a9cce3" } },
      { id: "buildings", type: "fill", source: "buildings", paint: { "fill-color": "#d9d0c7" } },
      {
        id: "streets", type: "line", source: "streets",
        paint: {
          "line-color": ["match", ["get", "class"], "major", "#f7c873", "#ffffff"],
          "line-width": ["match", ["get", "class"], "major", 5, 2.5],
        },
      },
      {
        id: "others", type: "circle", source: "others",
        paint: { "circle-color": "#9e9e9e", "circle-radius": 4, "circle-stroke-color": "#fff", "circle-stroke-width": 1 },
      },
    ],
  };
}

async function makeMap(area) {
  const [w, s, e, n] = area.bbox;
  const map = new maplibregl.Map({
    container: "map", style: mapStyle(), bounds: [[w, s], [e, n]],
    attributionControl: false, fadeDuration: 0,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.on("click", (ev) => { if (state.onMapClick) state.onMapClick(ev.lngLat); });
  await new Promise((resolve) => map.on("load", resolve));
  state.map = map;
  return map;
}

function drawFacilities() {
  for (const marker of state.markers.values()) marker.remove();
  state.markers.clear();
  const others = [];
  for (const f of state.facilities) {
    if (!f.editable) {
      others.push({ type: "Feature", geometry: { type: "Point", coordinates: [f.lon, f.lat] }, properties: {} });
      continue;
    }
    const node = el("div", "", { class: "marker", title: f.name, "data-key": f.key, role: "button" });
    node.addEventListener("click", (ev) => { ev.stopPropagation(); choose(f.key); });
    const marker = new maplibregl.Marker({ element: node, draggable: true }).setLngLat([f.lon, f.lat]).addTo(state.map);
    marker.on("dragend", () => moveTo(f.key, marker.getLngLat()));
    state.markers.set(f.key, marker);
  }
  state.map.getSource("others").setData({ type: "FeatureCollection", features: others });
}

// ---- facilities --------------------------------------------------------------------------

function facility(key) { return state.facilities.find((f) => f.key === key); }

// A record key in a URL path: "/" stays (osm:node/1), everything else is escaped.
export function keyPath(key) { return encodeURIComponent(key).replace(/%2F/g, "/"); }

function replaceFacility(record) {
  const i = state.facilities.findIndex((f) => f.key === record.key);
  if (i >= 0) state.facilities[i] = record; else state.facilities.push(record);
}

function rebuilt(answer, key, values) {
  if (answer.data_version === null) { say(t("staff.unchanged")); return; }
  say(`${t(key, { ...values, version: answer.data_version })} ${t("staff.rebuilding")}`);
}

async function moveTo(key, lngLat) {
  const f = facility(key);
  try {
    const answer = await call("POST", `/api/staff/facilities/${keyPath(key)}/move`, { lon: lngLat.lng, lat: lngLat.lat });
    replaceFacility(answer.record);
    state.markers.get(key)?.setLngLat([answer.record.lon, answer.record.lat]);
    rebuilt(answer, "staff.facility.moved", { name: answer.record.name });
    if (state.chosen === key) fillForm(answer.record);
  } catch (err) {
    state.markers.get(key)?.setLngLat([f.lon, f.lat]);
    say(err.message, true);
  }
}

function listFacilities() {
  const q = $("facility-search").value.trim().toLowerCase();
  const list = $("facility-list");
  list.replaceChildren();
  const shown = state.facilities
    .filter((f) => !q || f.name.toLowerCase().includes(q) || f.key.toLowerCase().includes(q))
    .sort((a, b) => Number(b.editable) - Number(a.editable) || a.name.localeCompare(b.name))
    .slice(0, 200);
  for (const f of shown) {
    const item = el("li", f.name || f.key, { "data-key": f.key, "aria-selected": f.key === state.chosen });
    if (!f.editable) item.classList.add("readonly");
    item.addEventListener("click", () => choose(f.key));
    list.append(item);
  }
}

function fillTypes() {
  const select = $("f-type");
  select.replaceChildren();
  for (const type of state.types) {
    select.append(el("option", state.lang === "zh" ? type.name_zh : type.name_en, { value: type.code }));
  }
}

function fillForm(f) {
  $("facility-form").hidden = false;
  $("facility-title").textContent = f.key ? f.name : t("staff.facility.new");
  $("facility-readonly").hidden = f.editable !== false;
  for (const [id, name] of [["f-name", "name"], ["f-address", "address"], ["f-phone", "phone"],
    ["f-hours", "opening_hours"], ["f-type", "type_code"], ["f-status", "status"]]) {
    $(id).value = f[name] ?? "";
  }
  $("f-capacity").value = f.capacity ?? "";
  $("f-where").textContent = t("staff.facility.where", {
    lon: Number(f.lon).toFixed(6), lat: Number(f.lat).toFixed(6), community: f.community || "—",
  });
  for (const id of ["f-save", "f-pick", "f-close"]) $(id).disabled = f.editable === false;
  $("f-pick").hidden = $("f-close").hidden = !f.key;
}

function choose(key) {
  const before = state.markers.get(state.chosen);
  if (before) before.getElement().classList.remove("chosen");
  state.chosen = key;
  state.newPoint = null;
  const f = facility(key);
  state.markers.get(key)?.getElement().classList.add("chosen");
  fillForm(f);
  listFacilities();
  state.map.easeTo({ center: [f.lon, f.lat] });
}

function formValues() {
  const values = {};
  for (const [id, name] of [["f-name", "name"], ["f-address", "address"], ["f-phone", "phone"],
    ["f-hours", "opening_hours"], ["f-type", "type_code"], ["f-status", "status"]]) {
    values[name] = $(id).value;
  }
  const capacity = $("f-capacity").value.trim();
  values.capacity = capacity === "" ? null : Number(capacity);
  return values;
}

async function saveFacility(event) {
  event.preventDefault();
  try {
    if (state.newPoint) {
      const answer = await call("POST", "/api/staff/facilities", { ...formValues(), ...state.newPoint });
      state.facilities.push(answer.record);
      drawFacilities();
      rebuilt(answer, "staff.facility.added", { name: answer.record.name });
      choose(answer.record.key);
      return;
    }
    const answer = await call("PATCH", `/api/staff/facilities/${keyPath(state.chosen)}`, formValues());
    replaceFacility(answer.record);
    fillForm(answer.record);
    listFacilities();
    rebuilt(answer, "staff.facility.saved", { name: answer.record.name });
  } catch (err) {
    say(err.message, true);
  }
}

async function closeFacility() {
  try {
    const answer = await call("POST", `/api/staff/facilities/${keyPath(state.chosen)}/close`, { note: "" });
    replaceFacility(answer.record);
    fillForm(answer.record);
    rebuilt(answer, "staff.facility.closed_done", { name: answer.record.name });
  } catch (err) {
    say(err.message, true);
  }
}

function pickOnMap() {
  const key = state.chosen;
  say(t("staff.facility.pick_prompt"));
  state.onMapClick = (lngLat) => { state.onMapClick = null; moveTo(key, lngLat); };
}

function newFacility() {
  say(t("staff.facility.new_prompt"));
  state.onMapClick = (lngLat) => {
    state.onMapClick = null;
    state.chosen = null;
    state.newPoint = { lon: lngLat.lng, lat: lngLat.lat };
    fillForm({ key: "", name: "", status: "open", type_code: state.types[0]?.code, ...state.newPoint, editable: true });
  };
}

// ---- start -------------------------------------------------------------------------------

async function startEditor(session) {
  state.user = session.user;
  state.csrf = session.csrf_token;
  $("login").hidden = true;
  $("editor").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = t("staff.signed_in_as", { name: session.user.name, role: session.user.role });
  const [areas, taxonomy, facilities] = await Promise.all([
    call("GET", "/api/areas"), call("GET", "/api/taxonomy"), call("GET", "/api/staff/facilities"),
  ]);
  state.types = taxonomy.types;
  state.facilities = facilities;
  fillTypes();
  if (!state.map) {
    await makeMap(areas[0]);
    showCases(state.map, call).catch(() => {}); // residents' cases (the grid desk), a layer of its own
  }
  drawFacilities();
  listFacilities();
  say(t("staff.ready", { n: facilities.filter((f) => f.editable).length }));
  document.body.dataset.ready = "true";
}

async function setLanguage(lang) {
  state.lang = await loadMessages(lang);
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.cookie = `lang=${state.lang}; path=/; SameSite=Lax`;
  translatePage();
  $("lang").textContent = t("staff.lang_switch");
  if (state.types.length) fillTypes();
}

async function main() {
  await setLanguage();
  $("lang").addEventListener("click", () => setLanguage(state.lang === "zh" ? "en" : "zh"));
  $("login").addEventListener("submit", login);
  $("logout").addEventListener("click", () => logout().catch((err) => say(err.message, true)));
  $("facility-search").addEventListener("input", listFacilities);
  $("facility-form").addEventListener("submit", saveFacility);
  $("f-pick").addEventListener("click", pickOnMap);
  $("f-close").addEventListener("click", closeFacility);
  $("facility-new").addEventListener("click", newFacility);
  setupTools();
  const session = await call("GET", "/api/staff/session");
  state.csrf = session.csrf_token;
  if (session.user) await startEditor(session); else showLogin();
}

main().catch((err) => say(err.message, true));
