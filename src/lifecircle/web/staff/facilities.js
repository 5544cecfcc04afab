// The facilities tab: find and open a facility, edit its fields, add one, close it (with a
// note), and move it — only in move mode, chosen on purpose: one orange marker to drag (or a
// map click), the distance shown, then confirm; Esc or Cancel puts it back untouched.
import * as maplibregl from "/vendor/maplibre/maplibre-gl.mjs";
import { t } from "/static/api.js";
import { $, call, el, keyPath, say } from "/shared/core.js";
import { rebuilt, state } from "/staff/core.js";
import { confirmWithNote } from "/staff/dialog.js";

const FIELDS = [["f-name", "name"], ["f-address", "address"], ["f-phone", "phone"],
  ["f-hours", "opening_hours"], ["f-type", "type_code"], ["f-status", "status"]];
const move = { key: null, marker: null };
// the list shows this many facilities (your own first); a name typed in the search finds the rest
const LIST_MAX = 200;

export function facility(key) { return state.facilities.find((f) => f.key === key); }

function replaceFacility(record) {
  const i = state.facilities.findIndex((f) => f.key === record.key);
  if (i >= 0) state.facilities[i] = record; else state.facilities.push(record);
}

// Metres between two [lon, lat] points (haversine): what a move shows before it is confirmed.
export function metres(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

export async function drawFacilities() {
  await state.staffMap.setFacilities(state.facilities, state.typeArea);
  await state.staffMap.choose(facility(state.chosen) || null, state.typeArea);
}

export function listFacilities() {
  const q = $("facility-search").value.trim().toLowerCase();
  const list = $("facility-list");
  list.replaceChildren();
  const found = state.facilities
    .filter((f) => !q || f.name.toLowerCase().includes(q) || f.key.toLowerCase().includes(q))
    .sort((a, b) => Number(b.editable) - Number(a.editable) || a.name.localeCompare(b.name));
  for (const f of found.slice(0, LIST_MAX)) {
    const item = el("li", f.name || f.key, { "data-key": f.key, "aria-selected": f.key === state.chosen });
    if (!f.editable) item.classList.add("readonly");
    item.addEventListener("click", () => choose(f.key));
    list.append(item);
  }
  // a district holds thousands: say that the list is cut, and how to find the rest
  if (found.length > LIST_MAX) list.append(el("li", t("staff.facility.more", { n: found.length - LIST_MAX }), { class: "more", id: "facility-more" }));
}

export function fillTypes() {
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
  for (const [id, name] of FIELDS) $(id).value = f[name] ?? "";
  $("f-capacity").value = f.capacity ?? "";
  $("f-where").textContent = t("staff.facility.where", {
    lon: Number(f.lon).toFixed(6), lat: Number(f.lat).toFixed(6), community: f.community || "—",
  });
  for (const id of ["f-save", "f-move", "f-close"]) $(id).disabled = f.editable === false;
  $("f-move").hidden = $("f-close").hidden = !f.key;
  $("f-close").disabled = f.editable === false || f.status === "closed";
}

export function choose(key) {
  if (move.key) cancelMove();
  state.chosen = key;
  state.newPoint = null;
  const f = facility(key);
  fillForm(f);
  listFacilities();
  state.staffMap.choose(f, state.typeArea);
  const map = state.staffMap.map;
  map.easeTo({ center: [f.lon, f.lat], zoom: Math.max(map.getZoom(), 16.5), duration: 300 });
}

function formValues() {
  const values = {};
  for (const [id, name] of FIELDS) values[name] = $(id).value;
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
      rebuilt(answer, "staff.facility.added", { name: answer.record.name });
      choose(answer.record.key);
      await drawFacilities();
      return;
    }
    const values = formValues();
    // closing is its own step with a note: save the other fields, then ask why
    const closing = values.status === "closed" && facility(state.chosen).status !== "closed";
    if (closing) delete values.status;
    const answer = await call("PATCH", `/api/staff/facilities/${keyPath(state.chosen)}`, values);
    replaceFacility(answer.record);
    fillForm(answer.record);
    listFacilities();
    await drawFacilities();
    rebuilt(answer, "staff.facility.saved", { name: answer.record.name });
    if (closing) await closeFacility();
  } catch (err) {
    say(err.message, true);
  }
}

async function closeFacility() {
  const f = facility(state.chosen);
  const note = await confirmWithNote({
    title: t("staff.confirm.close_title", { name: f.name }), body: t("staff.confirm.close_body"),
  });
  if (note === null) { say(t("staff.cancelled")); return; }
  try {
    const answer = await call("POST", `/api/staff/facilities/${keyPath(f.key)}/close`, { note });
    replaceFacility(answer.record);
    fillForm(answer.record);
    await drawFacilities();
    rebuilt(answer, "staff.facility.closed_done", { name: answer.record.name });
  } catch (err) {
    say(err.message, true);
  }
}

// ---- move mode ---------------------------------------------------------------------------

function movedTo() { const p = move.marker.getLngLat(); return [p.lng, p.lat]; }

function showMoveDistance() {
  const f = facility(move.key);
  const far = metres([f.lon, f.lat], movedTo());
  $("move-text").textContent = t("staff.facility.move_distance", { name: f.name, dist_m: Math.round(far) });
  $("move-confirm").disabled = far < 0.5;
}

function startMove() {
  const f = facility(state.chosen);
  if (!f || !f.editable || move.key) return;
  move.key = f.key;
  const node = el("div", "", { class: "move-marker", role: "button", "aria-label": f.name });
  move.marker = new maplibregl.Marker({ element: node, draggable: true })
    .setLngLat([f.lon, f.lat]).addTo(state.staffMap.map);
  move.marker.on("drag", showMoveDistance);
  state.staffMap.owner = (lngLat) => { move.marker.setLngLat(lngLat); showMoveDistance(); };
  $("move-bar").hidden = false;
  document.body.dataset.moving = "true";
  showMoveDistance();
  say(t("staff.facility.move_prompt"));
}

function endMove() {
  move.marker?.remove();
  move.key = null;
  move.marker = null;
  state.staffMap.owner = null;
  $("move-bar").hidden = true;
  delete document.body.dataset.moving;
}

export function cancelMove() {
  if (!move.key) return;
  const f = facility(move.key);
  endMove();
  say(t("staff.facility.move_cancelled", { name: f.name }));
}

async function confirmMove() {
  const key = move.key;
  const [lon, lat] = movedTo();
  endMove();
  try {
    const answer = await call("POST", `/api/staff/facilities/${keyPath(key)}/move`, { lon, lat });
    replaceFacility(answer.record);
    if (state.chosen === key) fillForm(answer.record);
    await drawFacilities();
    rebuilt(answer, "staff.facility.moved", { name: answer.record.name });
  } catch (err) {
    say(err.message, true);
  }
}

function newFacility() {
  if (move.key) cancelMove();
  say(t("staff.facility.new_prompt"));
  state.staffMap.owner = (lngLat) => {
    state.staffMap.owner = null;
    state.chosen = null;
    state.newPoint = { lon: lngLat.lng, lat: lngLat.lat };
    state.staffMap.choose(null, state.typeArea);
    fillForm({ key: "", name: "", status: "open", type_code: state.types[0]?.code, ...state.newPoint, editable: true });
    say("");
  };
}

export function setupFacilities() {
  $("facility-search").addEventListener("input", listFacilities);
  $("facility-form").addEventListener("submit", saveFacility);
  $("f-move").addEventListener("click", startMove);
  $("f-close").addEventListener("click", closeFacility);
  $("facility-new").addEventListener("click", newFacility);
  $("move-confirm").addEventListener("click", confirmMove);
  $("move-cancel").addEventListener("click", cancelMove);
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && move.key && !$("confirm").open) cancelMove();
  });
}
