// The resident page: where from (a board's QR code, a compound, my location), who walks, and
// first of all the nearest of each service; the full list by minutes behind it; a facility's
// sheet with its route on the map. Every string comes from /api/i18n; every user or data
// string is set with textContent. The list never waits for the map.
import { getJSON, loadMessages, t, translatePage } from "./api.js";
import { renderAll, renderNearest, walkText } from "./lists.js";
import { showTools, wirePlace } from "./place.js";
import { showCaseCount, wireReport } from "./report.js";
import { Sheet } from "./sheet.js";

const PAGE = 30; // rows of the full list shown before "show more"
const PROFILE_KEY = "lifecircle.profile";
const PLACE_ZOOM = 15; // at least this close around the place: streets and their names readable
const state = {
  lang: "", profile: "standard", filter: null, origin: null, access: null, area: null,
  taxonomy: null, types: {}, areas: {}, shown: PAGE, map: null, chosen: null, allOpen: false,
};
const $ = (id) => document.getElementById(id);
let sheet = null;

function pickLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  const cookie = document.cookie.match(/(?:^|; )lang=(zh|en)/);
  return asked || (cookie && cookie[1]) || ""; // "" = let the server read Accept-Language
}

// Every API address carries the asked language, so names and messages match the page.
function api(path) {
  if (!state.lang) return path;
  return `${path}${path.includes("?") ? "&" : "?"}lang=${state.lang}`;
}

function savedProfile() {
  try {
    const saved = localStorage.getItem(PROFILE_KEY);
    return ["standard", "elderly", "wheelchair"].includes(saved) ? saved : "standard";
  } catch { return "standard"; }
}

function showError(error) {
  $("status").textContent = t("web.error", { message: error.message });
}

const typeName = (code) => {
  const type = state.types[code];
  return type ? (state.lang === "en" ? type.name_en : type.name_zh) : code;
};
const areaName = (area) => (state.lang === "en" ? area.name_en : area.name_zh);
const colour = (code) => (state.areas[code] || {}).color || "#666";

// ---- where from, who walks -------------------------------------------------------------------

function accessUrl() {
  const o = state.origin;
  const q = `profile=${state.profile}`;
  if (o.kind === "compound") return api(`/api/access/compound/${encodeURIComponent(o.id)}?${q}`);
  if (o.kind === "board") return api(`/api/access/board/${encodeURIComponent(o.id)}?${q}`);
  return api(`/api/access/point?lon=${o.lon}&lat=${o.lat}&${q}`);
}

function originFromAddress() {
  const board = location.pathname.match(/^\/b\/([^/]+)/);
  if (board) return { kind: "board", id: decodeURIComponent(board[1]) };
  const compound = new URLSearchParams(location.search).get("compound");
  return compound ? { kind: "compound", id: compound } : null;
}

function originName(origin) {
  return origin.kind === "point" ? t("web.locate.here") : origin.name;
}

function renderProfiles() {
  for (const button of $("profiles").querySelectorAll("button")) {
    button.setAttribute("aria-checked", String(button.dataset.profile === state.profile));
  }
}

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
    button.addEventListener("click", () => {
      state.filter = chip.code;
      state.shown = PAGE;
      renderChips();
      renderAnswer();
    });
    box.append(button);
  }
}

// ---- the answer: nearest of each type, the full list, the markers ----------------------------

function listed() {
  const all = state.access ? state.access.facilities : [];
  return state.filter ? all.filter((f) => f.area === state.filter) : all;
}

function renderAnswer() {
  const access = state.access;
  const place = $("place-name");
  document.querySelector(".place-now .label").hidden = !access;
  $("change-place").hidden = !access;
  $("chips").hidden = !access;
  if (!access) {
    place.textContent = t("web.choose");
    $("nearest").replaceChildren();
    $("show-all").hidden = true;
    $("all").hidden = true;
    showTools(true);
    return;
  }
  place.textContent = originName(access.origin);
  $("nearest-title").textContent = t("web.nearest.title", { walker: t(`web.profile.${access.profile}`) });
  renderNearest($("nearest"), {
    access, taxonomy: state.taxonomy, filter: state.filter, names: typeName, areaName,
    onPick: (type) => openFacility(type.facility_id, { fromTypes: true, minutes: type.minutes }),
  });
  const rows = listed();
  $("show-all").hidden = false;
  $("show-all").textContent = t(state.allOpen ? "web.all.hide" : "web.all.show", { n: rows.length });
  $("show-all").setAttribute("aria-expanded", String(state.allOpen));
  $("all").hidden = !state.allOpen;
  $("list-count").textContent = rows.length ? t("web.list.count", { n: rows.length }) : t("web.list.empty");
  const shown = state.allOpen ? state.shown : 0; // built when opened
  renderAll($("list"), rows, {
    shown, unit: access.unit, names: typeName, colour,
    onPick: (f) => openFacility(f.id, { fromTypes: false, minutes: f.minutes }),
  });
  $("more").hidden = !state.allOpen || rows.length <= state.shown;
  if (state.map) state.map.setFacilities(rows);
}

async function loadAccess(pending = null) {
  if (!state.origin) return renderAnswer();
  $("status").textContent = "";
  document.body.dataset.loading = "1";
  if (!state.access) {
    const waiting = document.createElement("p");
    waiting.className = "muted";
    waiting.textContent = t("web.loading");
    $("nearest").replaceChildren(waiting);
  }
  try {
    state.access = await (pending || getJSON(accessUrl()));
  } catch (error) {
    state.access = null;
    renderAnswer();
    showError(error);
    return;
  } finally {
    delete document.body.dataset.loading;
  }
  state.shown = PAGE;
  document.body.dataset.profile = state.access.profile;
  showCaseCount(state.access.origin, api);
  if (sheet) sheet.close();
  renderAnswer();
  if (!document.body.dataset.nearestShown) await markShown();
  await drawPlace();
}

// Mark the first useful answer once it is painted (the frame after it is in the page): the
// figure benchmarks/resident_page.py and the browser tests record.
function markShown() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(() => {
      performance.mark("lifecircle:nearest-shown");
      document.body.dataset.nearestShown = "1";
      resolve();
    }, 0));
  });
}

// The walking areas and "you are here" on the map, centred on the 5-minute area.
async function drawPlace() {
  if (!state.map || !state.access) return;
  document.body.dataset.mapDrawn = "0";
  state.map.set("areas", state.access.areas);
  state.map.showRoute(null);
  state.map.showOrigin(state.access.origin, t("web.you_are_here"));
  await fitPlace();
  await state.map.idle();
  document.body.dataset.mapDrawn = "1";
}

// Close enough to read the street names: the 5-minute area, or the streets around the place.
async function fitPlace() {
  const o = state.access.origin;
  const areas = state.access.areas.features;
  const inner = areas[areas.length - 1];
  const coords = inner ? positions(inner.geometry.coordinates) : [];
  await state.map.fit(coords.length ? coords : [[o.lon, o.lat]], 12, { minZoom: PLACE_ZOOM, center: [o.lon, o.lat] });
}

// Every [lon, lat] of a GeoJSON coordinates array, however deeply nested.
function positions(coords) {
  if (typeof coords[0] === "number") return [coords];
  return coords.flatMap(positions);
}

function choose(origin, address) {
  state.origin = origin;
  history.replaceState(null, "", address);
  loadAccess();
}

// Where a report is about by default: the compound the page answers for (a gate board's
// compound too), else the page's place as a point.
function reportOrigin() {
  if (!state.access) return null;
  const o = state.access.types_origin || state.access.origin;
  return o.kind === "compound" ? o : { kind: "point", lon: state.access.origin.lon, lat: state.access.origin.lat };
}

// ---- a facility: the sheet and its route ------------------------------------------------------

// Where a route starts: the nearest of each type is measured from `types_origin` (a board at
// a compound's gate is judged as its compound), a listed facility from the page's own place.
function routeUrl(id, fromTypes) {
  const o = fromTypes ? state.access.types_origin : state.access.origin;
  let from = `compound=${encodeURIComponent(o.id)}`;
  if (o.kind === "board") from = `board=${encodeURIComponent(o.id)}`;
  if (o.kind === "point") from = `from_lon=${o.lon}&from_lat=${o.lat}`;
  return api(`/api/route?${from}&facility=${encodeURIComponent(id)}&profile=${state.access.profile}`);
}

function startsElsewhere(fromTypes) {
  if (!fromTypes) return "";
  const a = state.access.origin;
  const b = state.access.types_origin;
  return a.kind === b.kind && a.id === b.id ? "" : t("web.sheet.from_compound", { name: b.name });
}

async function openFacility(id, { fromTypes = false, minutes = null } = {}) {
  if (!state.access) return;
  let facility;
  try {
    facility = await getJSON(api(`/api/facilities/${encodeURIComponent(id)}`));
  } catch (error) { return showError(error); }
  if (minutes === null) {
    const row = state.access.facilities.find((f) => f.id === id);
    minutes = row ? row.minutes : null;
  }
  state.chosen = facility;
  sheet.show(facility, {
    type: typeName(facility.type), walk: walkText(minutes, state.access.unit), from: startsElsewhere(fromTypes),
  });
  let route = null;
  try {
    route = await getJSON(routeUrl(id, fromTypes));
  } catch { route = null; }
  if (state.chosen !== facility) return; // another facility was opened meanwhile
  sheet.showRoute(route);
  await drawRoute(facility, route);
}

// The map fills the screen behind the peeking sheet and shows the whole route above it.
async function drawRoute(facility, route) {
  if (!state.map) return;
  document.body.dataset.routeDrawn = "0";
  state.map.resize();
  state.map.choose(facility);
  state.map.showRoute(route, facility);
  const coords = [...(route ? route.geometry.coordinates : []), [facility.lon, facility.lat]];
  const box = $("map").getBoundingClientRect();
  const covered = Math.max(0, box.bottom - (window.innerHeight - sheet.coveredPx()));
  await state.map.fit(coords, { top: 48, left: 32, right: 64, bottom: covered + 32 });
  await state.map.idle();
  document.body.dataset.routeDrawn = route ? "1" : "0";
}

function closeFacility() {
  state.chosen = null;
  delete document.body.dataset.routeDrawn;
  if (!state.map) return;
  state.map.showRoute(null);
  state.map.choose(null);
  state.map.resize();
  if (state.access) fitPlace();
}

// ---- start ------------------------------------------------------------------------------------

function wire() {
  wirePlace({ api, onChoose: choose, onError: showError });
  wireReport({ api, origin: reportOrigin, map: () => state.map, onError: showError });
  for (const button of $("profiles").querySelectorAll("button")) {
    button.addEventListener("click", () => {
      state.profile = button.dataset.profile;
      try { localStorage.setItem(PROFILE_KEY, state.profile); } catch { /* private mode */ }
      renderProfiles();
      loadAccess();
    });
  }
  $("show-all").addEventListener("click", () => {
    state.allOpen = !state.allOpen;
    renderAnswer();
    if (state.allOpen) $("all").scrollIntoView({ block: "start" });
  });
  $("more").addEventListener("click", () => { state.shown += PAGE; renderAnswer(); });
  $("lang").addEventListener("click", () => {
    document.cookie = `lang=${state.lang === "zh" ? "en" : "zh"}; path=/; max-age=31536000`;
    const url = new URL(location.href);
    url.searchParams.delete("lang");
    location.href = url.toString();
  });
}

function renderChrome() {
  translatePage();
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
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
}

// Fetch MapLibre into the cache now (its address is versioned in the page) but compile and run
// it only after the list is shown: 1 MB of script would hold the list up on a slow phone.
function prefetchMap() {
  const link = document.createElement("link");
  link.rel = "prefetch";
  link.href = document.querySelector("meta[name='maplibre']").content;
  document.head.append(link);
}

// MapLibre's style sheet, loaded only for the map (it would hold up the first paint).
function mapStyles() {
  return new Promise((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = document.querySelector("meta[name='maplibre-css']").content;
    link.addEventListener("load", resolve);
    link.addEventListener("error", resolve);
    document.head.append(link);
  });
}

async function startMap() {
  try {
    const [maplibregl, { AreaMap }] = await Promise.all([
      import(document.querySelector("meta[name='maplibre']").content),
      import("./map.js"),
      mapStyles(),
    ]);
    state.map = new AreaMap(maplibregl, $("map"), {
      area: state.area, taxonomy: state.taxonomy, lang: state.lang, attribution: t("web.osm"),
      onFacility: (id) => openFacility(id),
    });
  } catch (error) {
    $("map").parentElement.hidden = true;
    $("map-note").hidden = false;
    $("map-note").textContent = t("web.no_map");
    return;
  }
  if (state.access) state.map.setFacilities(listed());
  await drawPlace();
}

async function main() {
  state.lang = pickLang();
  state.profile = savedProfile();
  state.origin = originFromAddress();
  // everything the first answer needs is asked for at once; the map follows on its own
  const pending = state.origin ? getJSON(accessUrl()) : null;
  pending?.catch(() => {}); // its error is shown by loadAccess
  prefetchMap();
  try {
    const [lang, areas, taxonomy] = await Promise.all([
      loadMessages(state.lang), getJSON(api("/api/areas")), getJSON(api("/api/taxonomy")),
    ]);
    state.lang = lang;
    state.area = areas[0];
    state.taxonomy = taxonomy;
    for (const type of taxonomy.types) state.types[type.code] = type;
    for (const area of taxonomy.areas) state.areas[area.code] = area;
  } catch (error) {
    return showError(error);
  }
  renderChrome();
  sheet = new Sheet({ onClose: closeFacility });
  wire();
  await loadAccess(pending); // the answer first, then the map
  await startMap();
  const shared = new URLSearchParams(location.search).get("facility"); // a shared link
  if (shared) await openFacility(shared);
  document.body.dataset.ready = "1";
}

main();
