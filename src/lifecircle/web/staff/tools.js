// Staff tools beside the facility form: compound gates, barriers and links (road mode: clicks
// pick roads, never markers), sheet upload (a dry run naming what it would add, change and
// delete before the import is allowed), the audit log. Text from /api/i18n only; data as text.
import * as maplibregl from "/vendor/maplibre/maplibre-gl.mjs";
import { t } from "/static/api.js";
import { openAudit } from "/staff/audit.js";
import { $, call, el, keyPath, say } from "/shared/core.js";
import { state } from "/staff/core.js";
import { confirmWithNote } from "/staff/dialog.js";
import { cancelMove } from "/staff/facilities.js";
import * as walkLayer from "/staff/walklayer.js";

const tools = { compounds: [], compound: null, gates: [], gateMarkers: [], linkPoints: [] };

function point(lngLat) { return [Number(lngLat.lng.toFixed(7)), Number(lngLat.lat.toFixed(7))]; }

// ---- tabs --------------------------------------------------------------------------------

function showTab(name) {
  cancelMove();
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${name}`;
  state.staffMap.owner = null;
  document.body.dataset.tab = name;
  clearGateMarkers();
  walkLayer.pickRoad(null);
  if (name === "compounds") openCompounds().catch((err) => say(err.message, true));
  if (name === "walking") openWalking().catch((err) => say(err.message, true));
  if (name === "audit") openAudit(true).catch((err) => say(err.message, true));
}

// ---- compound gates ----------------------------------------------------------------------

function clearGateMarkers() {
  for (const marker of tools.gateMarkers) marker.remove();
  tools.gateMarkers = [];
}

function drawGates() {
  clearGateMarkers();
  const list = $("gate-list");
  list.replaceChildren();
  tools.gates.forEach(([lon, lat], i) => {
    list.append(el("li", `${lon.toFixed(6)}, ${lat.toFixed(6)}`));
    const node = el("div", "", { class: "gate", title: String(i + 1) });
    const marker = new maplibregl.Marker({ element: node, draggable: true }).setLngLat([lon, lat]).addTo(state.staffMap.map);
    marker.on("dragend", () => { tools.gates[i] = point(marker.getLngLat()); drawGates(); });
    tools.gateMarkers.push(marker);
  });
}

function chooseCompound(compound) {
  tools.compound = compound;
  tools.gates = compound.entrances.map(([lon, lat]) => [lon, lat]);
  $("compound-box").hidden = false;
  $("compound-title").textContent = compound.name;
  drawGates();
  state.staffMap.map.easeTo({ center: [compound.lon, compound.lat] });
  // while a compound is open, a click adds a gate (it never opens a facility)
  state.staffMap.owner = (lngLat) => { tools.gates.push(point(lngLat)); drawGates(); };
}

async function openCompounds() {
  tools.compounds = await call("GET", "/api/staff/compounds");
  const list = $("compound-list");
  list.replaceChildren();
  for (const compound of tools.compounds.filter((c) => c.editable)) {
    const item = el("li", compound.name, { "data-key": compound.key });
    item.addEventListener("click", () => chooseCompound(compound));
    list.append(item);
  }
  if (!list.children.length) list.append(el("li", t("staff.compound.none"), { class: "readonly" }));
}

async function saveGates() {
  try {
    const url = `/api/staff/compounds/${keyPath(tools.compound.key)}/entrances`;
    const answer = await call("PUT", url, { entrances: tools.gates });
    tools.compound = answer.record;
    say(answer.data_version === null ? t("staff.unchanged")
      : `${t("staff.compound.saved", { name: answer.record.name, version: answer.data_version })} ${t("staff.rebuilding")}`);
  } catch (err) {
    say(err.message, true);
  }
}

// ---- barriers and links ------------------------------------------------------------------

function roadMode() { return $("w-kind").value !== "link"; }

// In the walking tab every map click is the tool's: a road (barrier kinds) or a link end.
function walkingClick(lngLat) {
  if (roadMode()) { pickWay(lngLat).catch((err) => say(err.message, true)); return; }
  tools.linkPoints = [...tools.linkPoints, point(lngLat)].slice(-2);
  $("w-points").textContent = tools.linkPoints.map(([x, y]) => `${x.toFixed(6)}, ${y.toFixed(6)}`).join(" → ");
  walkLayer.pickRoad(tools.linkPoints);
}

function walkingItem(edit) {
  const kind = t(`staff.walking.kind_${edit.edit_kind}`);
  const item = el("li", `#${edit.edit_id} ${kind} ${edit.osm_id ?? ""} ${edit.note} — ${edit.author}`, { "data-edit": edit.edit_id });
  const remove = el("button", t("staff.walking.remove"), { type: "button", class: "danger" });
  remove.addEventListener("click", (ev) => { ev.stopPropagation(); removeWalking(edit, kind); });
  item.append(" ", remove);
  return item;
}

async function removeWalking(edit, kind) {
  const note = await confirmWithNote({
    title: t("staff.confirm.remove_title", { id: edit.edit_id, kind }), body: t("staff.confirm.remove_body"),
  });
  if (note === null) { say(t("staff.cancelled")); return; }
  try {
    const query = new URLSearchParams({ note });
    const answer = await call("DELETE", `/api/staff/walking/${edit.edit_id}?${query}`);
    await openWalking();
    say(`${t("staff.walking.removed", { id: edit.edit_id, version: answer.data_version })} ${t("staff.rebuilding")}`);
  } catch (err) { say(err.message, true); }
}

async function openWalking() {
  tools.linkPoints = [];
  state.staffMap.owner = walkingClick;
  kindChanged();
  const list = $("walking-list");
  list.replaceChildren();
  for (const edit of await walkLayer.refresh()) list.append(walkingItem(edit));
}

async function pickWay(lngLat) {
  const query = new URLSearchParams({ lon: lngLat.lng, lat: lngLat.lat });
  const way = await call("GET", `/api/staff/walking/nearest?${query}`);
  $("w-osm").value = $("w-kind").value === "impassable_node" ? way.node_id : way.osm_id;
  $("w-points").textContent = t("staff.walking.picked", {
    name: way.name, way: way.osm_id, dist: Math.round(way.dist_m), node: way.node_id,
  });
  walkLayer.pickRoad(way.coords);
}

function kindChanged() {
  const link = !roadMode();
  $("w-osm").disabled = link;
  tools.linkPoints = [];
  walkLayer.pickRoad(null);
  $("w-points").textContent = t(link ? "staff.walking.pick_link" : "staff.walking.pick_way");
  $("w-mode").textContent = link ? "" : t("staff.walking.road_mode");
}

async function addWalking(event) {
  event.preventDefault();
  const kind = $("w-kind").value;
  const osm = $("w-osm").value.trim();
  const body = { edit_kind: kind, note: $("w-note").value };
  if (kind === "link") body.coords = tools.linkPoints;
  else body.osm_id = osm === "" ? null : Number(osm);
  try {
    const answer = await call("POST", "/api/staff/walking", body);
    $("w-note").value = "";
    await openWalking();
    say(`${t("staff.walking.added", { id: answer.record.edit_id, version: answer.data_version })} ${t("staff.rebuilding")}`);
  } catch (err) {
    say(err.message, true);
  }
}

// ---- sheet upload ------------------------------------------------------------------------

function sheetForm() {
  const data = new FormData();
  data.append("file", $("s-file").files[0]);
  return data;
}

function sheetUrl(dryRun) {
  const query = new URLSearchParams({ dry_run: String(dryRun), crs: $("s-crs").value });
  return `/api/staff/sheets/${$("s-kind").value}?${query}`;
}

// "甲、乙、丙 等 40 个": the first names the report carries, and the total when there are more.
export function namesText({ names, total }) {
  const joined = names.join(state.lang === "zh" ? "、" : ", ");
  return total > names.length ? `${joined} ${t("staff.sheet.more", { total })}` : joined;
}

function showNamed(box, named) {
  for (const [part, key] of [["removed", "staff.sheet.names_removed"], ["changed", "staff.sheet.names_changed"], ["added", "staff.sheet.names_added"]]) {
    if (named[part].total) box.append(el("p", t(key, { names: namesText(named[part]) }), { class: `names ${part}` }));
  }
  if (named.derived_removed) {
    box.append(el("p", t("staff.sheet.replaces_derived", { n: named.derived_removed }), { class: "warning" }));
  }
}

function showReport(report) {
  const box = $("sheet-report");
  box.replaceChildren();
  box.hidden = false;
  for (const [kind, n] of Object.entries(report.counts)) {
    box.append(el("p", t("staff.sheet.report", { kind: t(`staff.kind.${kind}`), ...n })));
  }
  for (const named of report.named || []) showNamed(box, named);
  if (report.data_version !== null) box.append(el("p", t("staff.sheet.done", { version: report.data_version })));
  if (report.skipped.length) {
    box.append(el("p", t("staff.sheet.skipped")));
    const list = el("ul");
    for (const line of report.skipped) list.append(el("li", line));
    box.append(list);
  }
  for (const far of report.far) box.append(el("p", t("staff.sheet.far", far)));
  if (report.free_hours.length) box.append(el("p", t("staff.sheet.free_hours", { n: report.free_hours.length })));
}

// An import runs on the server as a job: poll it until it ends, saying its stage meanwhile.
async function runSheetJob(dryRun) {
  let { job } = await call("POST", sheetUrl(dryRun), sheetForm());
  for (let wait = 300; job.state === "running"; wait = Math.min(wait * 1.5, 2000)) {
    say(t(`staff.job.${job.stage}`, { n: job.done }));
    await new Promise((resolve) => setTimeout(resolve, wait));
    ({ job } = await call("GET", `/api/staff/jobs/${job.id}`));
  }
  if (job.state === "failed") {
    const details = job.error.details.length ? ` ${job.error.details.join("; ")}` : "";
    throw new Error(`${job.error.message}${details}`);
  }
  return job.result;
}

// The import is allowed once the dry run is read; with removals, only after ticking that
// the named records were checked.
function allowCommit(report) {
  const removals = (report.named || []).reduce((n, k) => n + k.removed.total, 0);
  $("s-ack-box").hidden = removals === 0;
  $("s-ack").checked = false;
  $("s-ack-text").textContent = removals ? t("staff.sheet.ack_removals", { n: removals }) : "";
  $("s-commit").disabled = removals > 0;
  $("s-commit").dataset.ready = "true";
}

async function checkSheet(event) {
  event.preventDefault();
  $("s-commit").disabled = true;
  delete $("s-commit").dataset.ready;
  try {
    const report = await runSheetJob(true);
    showReport(report);
    allowCommit(report);
    say(t("staff.sheet.checked"));
  } catch (err) {
    say(err.message, true);
  }
}

async function commitSheet() {
  $("s-commit").disabled = true;
  delete $("s-commit").dataset.ready;
  $("s-ack-box").hidden = true;
  try {
    showReport(await runSheetJob(false));
    say(t("staff.rebuilding"));
  } catch (err) {
    say(err.message, true);
  }
}

export function setupTools() {
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  $("gates-clear").addEventListener("click", () => { tools.gates = []; drawGates(); });
  $("gates-save").addEventListener("click", saveGates);
  $("walking-form").addEventListener("submit", addWalking);
  $("w-kind").addEventListener("change", kindChanged);
  $("sheet-form").addEventListener("submit", checkSheet);
  $("s-file").addEventListener("change", () => { $("s-commit").disabled = true; $("sheet-report").hidden = true; });
  $("s-ack").addEventListener("change", () => { $("s-commit").disabled = !($("s-ack").checked && $("s-commit").dataset.ready); });
  $("s-commit").addEventListener("click", commitSheet);
  $("audit-more").addEventListener("click", () => openAudit(false).catch((err) => say(err.message, true)));
  document.querySelector('[data-tab="facilities"]').setAttribute("aria-selected", "true");
  document.body.dataset.tab = "facilities";
}
