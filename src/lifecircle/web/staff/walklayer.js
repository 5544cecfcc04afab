// A layer module of the staff map (see LAYER_MODULES in staff.js): the local walking edits —
// closed ways red, uncrossable roads orange, added links green, closed points red dots — and
// the road just picked in road mode, blue. Drawn under the facility markers.
import { call, say } from "/shared/core.js";

const EMPTY = { type: "FeatureCollection", features: [] };
const COLOURS = ["match", ["get", "edit_kind"],
  "impassable_way", "#c0392b", "uncrossable_way", "#e67e22", "link", "#1e8449", "#c0392b"];
let staffMap = null;

function layers() {
  return [
    {
      id: "picked-road-casing", type: "line", source: "picked-road",
      layout: { "line-join": "round", "line-cap": "round" },
      paint: { "line-color": "#ffffff", "line-width": 12 },
    },
    {
      id: "picked-road", type: "line", source: "picked-road",
      layout: { "line-join": "round", "line-cap": "round" },
      paint: { "line-color": "#1565c0", "line-width": 7 },
    },
    {
      id: "walk-edit-lines", type: "line", source: "walk-edits",
      filter: ["==", ["geometry-type"], "LineString"],
      layout: { "line-join": "round", "line-cap": "round" },
      paint: {
        "line-color": COLOURS, "line-width": 5,
        "line-dasharray": ["case", ["==", ["get", "edit_kind"], "uncrossable_way"], ["literal", [2, 1]], ["literal", [1, 0]]],
      },
    },
    {
      id: "walk-edit-points", type: "circle", source: "walk-edits",
      filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-color": COLOURS, "circle-radius": 7, "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 },
    },
  ];
}

// Add the sources and layers (under the markers) and draw the stored edits.
export async function addTo(map) {
  staffMap = map;
  await map.ready;
  map.map.addSource("walk-edits", { type: "geojson", data: EMPTY });
  map.map.addSource("picked-road", { type: "geojson", data: EMPTY });
  for (const layer of layers()) map.map.addLayer(layer, "clusters");
  await refresh().catch((err) => say(err.message, true));
}

// Draw the edits as the API lists them (each with its geometry); without a list, ask for it.
export async function refresh(edits) {
  const list = edits || await call("GET", "/api/staff/walking");
  const features = list.filter((e) => e.geometry).map((e) => ({
    type: "Feature", geometry: e.geometry, properties: { edit_id: e.edit_id, edit_kind: e.edit_kind },
  }));
  staffMap.map.getSource("walk-edits").setData({ type: "FeatureCollection", features });
  return list;
}

// Highlight the road just picked (its [lon, lat] points), or clear it with null.
export function pickRoad(coords) {
  const features = coords && coords.length > 1
    ? [{ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: coords } }] : [];
  staffMap.map.getSource("picked-road").setData({ type: "FeatureCollection", features });
}
