// Residents' cases (the grid desk) as a layer of the staff map: a heat view when zoomed out,
// points coloured by status when zoomed in (overdue red, open orange, on hold grey, handled
// green), filtered by category and status; a point opens a popup linking to the case on the
// desk. Only the cases the user may see (the server scopes the list). Text only, never HTML.
import * as maplibregl from "/vendor/maplibre/maplibre-gl.mjs";
import { t } from "/static/api.js";
import { el } from "/shared/core.js";

//: Zoomed out beyond this the cases show as heat, closer as points.
const POINTS_FROM = 14;
const COLOURS = ["case", ["==", ["get", "status"], "overdue"], "#c0392b", ["==", ["get", "status"], "open"], "#e67e22",
  ["==", ["get", "status"], "on_hold"], "#7f8c8d", "#27ae60"];
const STATUSES = ["overdue", "open", "on_hold", "handled"];
const layer = { cases: [], category: "", statuses: new Set(["overdue", "open", "on_hold"]) };

function status(c) {
  if (c.overdue) return "overdue";
  if (c.on_hold) return "on_hold";
  return c.open ? "open" : "handled";
}

function features() {
  return {
    type: "FeatureCollection",
    features: layer.cases
      .filter((c) => c.lon !== null && c.lat !== null)
      .filter((c) => (!layer.category || c.category === layer.category) && layer.statuses.has(status(c)))
      .map((c) => ({
        type: "Feature",
        geometry: { type: "Point", coordinates: [c.lon, c.lat] },
        properties: { id: c.id, status: status(c), name: c.category_name, state: c.state_name, place: c.place || "" },
      })),
  };
}

// The filter box over the map: category and status.
function controls(map) {
  const box = el("div", "", { class: "case-filter maplibregl-ctrl" });
  box.append(el("strong", t("staff.cases.title")));
  const select = el("select", "", { "aria-label": t("staff.cases.category") });
  select.append(el("option", t("staff.cases.all"), { value: "" }));
  const names = new Map(layer.cases.map((c) => [c.category, c.category_name]));
  for (const [code, name] of names) select.append(el("option", name, { value: code }));
  select.addEventListener("change", () => { layer.category = select.value; redraw(map); });
  box.append(select);
  for (const s of STATUSES) {
    const label = el("label", "", { class: `case-status cs-${s}` });
    const input = el("input", "", { type: "checkbox", value: s });
    input.checked = layer.statuses.has(s);
    input.addEventListener("change", () => {
      if (input.checked) layer.statuses.add(s); else layer.statuses.delete(s);
      redraw(map);
    });
    label.append(input, el("span", t(`staff.cases.${s}`)));
    box.append(label);
  }
  return { onAdd: () => box, onRemove: () => box.remove() };
}

function redraw(map) {
  map.getSource("cases").setData(features());
}

function popup(map, feature) {
  const p = feature.properties;
  const box = el("div", "", { class: "case-popup" });
  box.append(el("strong", `#${p.id} ${p.name}`), el("p", `${p.state}${p.place ? ` · ${p.place}` : ""}`));
  box.append(el("a", t("staff.cases.open_desk"), { href: `/desk/?case=${p.id}` }));
  new maplibregl.Popup({ closeButton: true }).setLngLat(feature.geometry.coordinates).setDOMContent(box).addTo(map);
}

// Add the layer to the staff map; `call(method, path)` is the staff page's API call.
// The staff map's entry for layer modules (LAYER_MODULES in staff.js): the cases over the map.
// A user without the desk's rights sees no cases layer, and the editor works on.
export async function addTo(staffMap, context) {
  await staffMap.ready;
  showCases(staffMap.map, context.call).catch(() => {});
}

export async function showCases(map, call) {
  layer.cases = await call("GET", "/api/desk/cases?limit=500");
  map.addSource("cases", { type: "geojson", data: features() });
  map.addLayer({
    id: "cases-heat", type: "heatmap", source: "cases", maxzoom: POINTS_FROM + 1,
    paint: {
      "heatmap-radius": 24,
      "heatmap-opacity": ["interpolate", ["linear"], ["zoom"], POINTS_FROM - 1, 0.8, POINTS_FROM + 1, 0],
    },
  });
  map.addLayer({
    id: "cases", type: "circle", source: "cases", minzoom: POINTS_FROM - 1,
    paint: { "circle-color": COLOURS, "circle-radius": 8, "circle-stroke-color": "#fff", "circle-stroke-width": 2 },
  });
  map.on("click", "cases", (ev) => popup(map, ev.features[0]));
  map.addControl(controls(map), "bottom-left"); // the top corners hold the zoom and the editors' clicks
  return layer.cases.length;
}
