// Staff editor, the page's entry: login, the map and its layer modules, the tabs.
// The pieces every staff page shares live in /shared/core.js, the map's state in core.js (both
// re-exported here for layer modules written against this file); the facility form and move
// mode in facilities.js; the other tools in tools.js.
import { t } from "/static/api.js";
import { $, call, el, keyPath, say, setPageLanguage, startSession } from "/shared/core.js";
import { openAudit } from "/staff/audit.js";
import { state } from "/staff/core.js";
import { choose, drawFacilities, fillTypes, listFacilities, setupFacilities } from "/staff/facilities.js";
import { StaffMap } from "/staff/map.js";
import { setupTools } from "/staff/tools.js";
import * as casesLayer from "/staff/cases.js";
import * as walkLayer from "/staff/walklayer.js";

export { call, el, keyPath, say, state };

// Layer modules drawn on the staff map, in this order, under the facility markers. Each
// exports `addTo(staffMap, context)` (context: { state, call, say, t, choose }); add one here.
const LAYER_MODULES = [walkLayer, casesLayer];

function showLogin() {
  $("editor").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login").hidden = false;
}

async function makeMap(area, taxonomy) {
  const staffMap = new StaffMap($("map"), {
    area, areas: taxonomy.areas, attribution: t("web.osm"), onMarker: choose,
  });
  state.staffMap = staffMap;
  await staffMap.ready;
  const context = { state, call, say, t, choose };
  for (const module of LAYER_MODULES) await module.addTo(staffMap, context);
}

async function startEditor(session) {
  $("login").hidden = true;
  $("editor").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = t("staff.signed_in_as", { name: session.user.name, role: session.user.role });
  const [areas, taxonomy, facilities] = await Promise.all([
    call("GET", "/api/areas"), call("GET", "/api/taxonomy"), call("GET", "/api/staff/facilities"),
  ]);
  state.types = taxonomy.types;
  state.typeArea = new Map(taxonomy.types.map((x) => [x.code, x.area]));
  state.facilities = facilities;
  fillTypes();
  if (!state.staffMap) await makeMap(areas[0], taxonomy);
  await drawFacilities();
  listFacilities();
  say(t("staff.ready", { n: facilities.filter((f) => f.editable).length }));
  document.body.dataset.ready = "true";
}

async function setLanguage(lang) {
  await setPageLanguage(lang);
  if (state.types.length) fillTypes();
  // sentences are written in the page's language: write them again in the new one
  if (state.user && document.body.dataset.tab === "audit") await openAudit(true);
}

async function main() {
  await setLanguage();
  $("lang").addEventListener("click", () => setLanguage(state.lang === "zh" ? "en" : "zh"));
  setupFacilities();
  setupTools();
  await startSession({ start: startEditor, showLogin });
}

main().catch((err) => say(err.message, true));
