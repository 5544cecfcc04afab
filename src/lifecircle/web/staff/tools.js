// Staff tools beside the facility form: compound gates, barriers and links, sheet upload,
// the audit log. Text from /api/i18n only; data only as text.
import * as maplibregl from "/vendor/maplibre/maplibre-gl.mjs";
import { t } from "/static/api.js";
import { call, el, keyPath, say, state } from "/staff/staff.js";

const $ = (id) => document.getElementById(id);
const tools = { compounds: [], compound: null, gates: [], gateMarkers: [], linkPoints: [], report: null, auditBefore: null };

function point(lngLat) { return [Number(lngLat.lng.toFixed(7)), Number(lngLat.lat.toFixed(7))]; }

// ---- tabs --------------------------------------------------------------------------------

function showTab(name) {
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${name}`;
  state.onMapClick = null;
  clearGateMarkers();
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
    const marker = new maplibregl.Marker({ element: node, draggable: true }).setLngLat([lon, lat]).addTo(state.map);
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
  state.map.easeTo({ center: [compound.lon, compound.lat] });
  state.onMapClick = (lngLat) => { tools.gates.push(point(lngLat)); drawGates(); };
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

async function openWalking() {
  tools.linkPoints = [];
  state.onMapClick = (lngLat) => {
    if ($("w-kind").value !== "link") { pickWay(lngLat).catch((err) => say(err.message, true)); return; }
    tools.linkPoints = [...tools.linkPoints, point(lngLat)].slice(-2);
    $("w-points").textContent = tools.linkPoints.map(([x, y]) => `${x.toFixed(6)}, ${y.toFixed(6)}`).join(" → ");
  };
  const list = $("walking-list");
  list.replaceChildren();
  for (const edit of await call("GET", "/api/staff/walking")) {
    const kind = t(`staff.walking.kind_${edit.edit_kind}`);
    const item = el("li", `#${edit.edit_id} ${kind} ${edit.osm_id ?? ""} ${edit.note} — ${edit.author}`);
    const remove = el("button", t("staff.walking.remove"), { type: "button" });
    remove.addEventListener("click", async (ev) => {
      ev.stopPropagation();
      try {
        const answer = await call("DELETE", `/api/staff/walking/${edit.edit_id}`);
        say(`${t("staff.walking.removed", { id: edit.edit_id, version: answer.data_version })} ${t("staff.rebuilding")}`);
        await openWalking();
      } catch (err) { say(err.message, true); }
    });
    item.append(" ", remove);
    list.append(item);
  }
}

async function pickWay(lngLat) {
  const query = new URLSearchParams({ lon: lngLat.lng, lat: lngLat.lat });
  const way = await call("GET", `/api/staff/walking/nearest?${query}`);
  $("w-osm").value = $("w-kind").value === "impassable_node" ? way.node_id : way.osm_id;
  $("w-points").textContent = t("staff.walking.picked", {
    name: way.name, way: way.osm_id, dist: Math.round(way.dist_m), node: way.node_id,
  });
}

function kindChanged() {
  const link = $("w-kind").value === "link";
  $("w-osm").disabled = link;
  tools.linkPoints = [];
  $("w-points").textContent = t(link ? "staff.walking.pick_link" : "staff.walking.pick_way");
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
    say(`${t("staff.walking.added", { id: answer.record.edit_id, version: answer.data_version })} ${t("staff.rebuilding")}`);
    $("w-note").value = "";
    await openWalking();
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

function showReport(report) {
  const box = $("sheet-report");
  box.replaceChildren();
  box.hidden = false;
  for (const [kind, n] of Object.entries(report.counts)) {
    box.append(el("p", t("staff.sheet.report", { kind: t(`staff.kind.${kind}`), ...n })));
  }
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
  say("");
  return job.result;
}

async function checkSheet(event) {
  event.preventDefault();
  $("s-commit").disabled = true;
  try {
    showReport(await runSheetJob(true));
    $("s-commit").disabled = false;
  } catch (err) {
    say(err.message, true);
  }
}

async function commitSheet() {
  $("s-commit").disabled = true;
  try {
    showReport(await runSheetJob(false));
    say(t("staff.rebuilding"));
  } catch (err) {
    say(err.message, true);
  }
}

// ---- audit log ---------------------------------------------------------------------------

async function openAudit(fresh) {
  if (fresh) { tools.auditBefore = null; $("audit-rows").replaceChildren(); }
  const query = tools.auditBefore ? `?before_id=${tools.auditBefore}` : "";
  const rows = await call("GET", `/api/staff/audit${query}`);
  for (const row of rows) {
    const tr = el("tr");
    for (const text of [row.at.replace("T", " ").replace("Z", ""), row.user, row.action, row.target, row.data_version ?? ""]) {
      tr.append(el("td", text));
    }
    $("audit-rows").append(tr);
  }
  if (rows.length) tools.auditBefore = rows[rows.length - 1].id;
  $("audit-more").hidden = rows.length < 100;
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
  $("s-commit").addEventListener("click", commitSheet);
  $("audit-more").addEventListener("click", () => openAudit(false).catch((err) => say(err.message, true)));
  document.querySelector('[data-tab="facilities"]').setAttribute("aria-selected", "true");
}
