// The area's own base map (streets with their names, buildings, water, green; from the
// project's OpenStreetMap extract at /api/basemap/*), as the staff map draws it, and a small
// still map of one place on it (a grid desk case). "© OpenStreetMap contributors" is shown
// wherever it is drawn: the caller passes the catalogue's text as `attribution`.
import * as maplibregl from "/vendor/maplibre/maplibre-gl.mjs";

export const FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "sans-serif"];
export const BOLD = ["Noto Sans CJK SC Bold", ...FONTS];
//: The zoom a single place is shown at: its street and the buildings around it.
const PLACE_ZOOM = 16;

export function point(lon, lat, properties = {}) {
  return { type: "Feature", properties, geometry: { type: "Point", coordinates: [lon, lat] } };
}

// The base map's sources: one GeoJSON layer each, cut from the area's OSM data by the server.
export function baseSources() {
  const base = (layer) => ({ type: "geojson", data: `/api/basemap/${layer}`, maxzoom: 16 });
  return { streets: base("streets"), buildings: base("buildings"), water: base("water"), green: base("green") };
}

export function baseLayers() {
  return [
    { id: "bg", type: "background", paint: { "background-color": "#f2efe9" } },
    { id: "green", type: "fill", source: "green", paint: { "fill-color": "#cfe5c0" } },
    { id: "water", type: "fill", source: "water", paint: { "fill-color": "#a9cce3" } },
    { id: "buildings", type: "fill", source: "buildings", paint: { "fill-color": "#d9d0c7" } },
    {
      id: "streets", type: "line", source: "streets",
      layout: { "line-join": "round", "line-cap": "round" },
      paint: {
        "line-color": ["match", ["get", "class"], "major", "#f7c873", "minor", "#ffffff", "#c9c2b8"],
        "line-width": ["interpolate", ["exponential", 1.6], ["zoom"],
          12, ["match", ["get", "class"], "major", 1.5, "minor", 0.6, 0.3],
          15, ["match", ["get", "class"], "major", 5, "minor", 2.5, 1],
          17, ["match", ["get", "class"], "major", 11, "minor", 7, 2]],
      },
    },
    {
      id: "street-names", type: "symbol", source: "streets", minzoom: 14,
      filter: ["all", ["!=", ["get", "name"], ""], ["in", ["get", "class"], ["literal", ["major", "minor"]]]],
      layout: {
        "symbol-placement": "line", "text-field": ["get", "name"], "text-font": FONTS,
        "text-size": 13, "text-max-angle": 35, "symbol-spacing": 260,
      },
      paint: { "text-color": "#3b3b3b", "text-halo-color": "#ffffff", "text-halo-width": 2 },
    },
  ];
}

// A small still map of one place (a page scrolls past it; it takes no gestures), the place
// ringed; resolves the map once it is drawn.
export function placeMap(container, { lon, lat, attribution }) {
  const map = new maplibregl.Map({
    container, center: [lon, lat], zoom: PLACE_ZOOM, interactive: false, attributionControl: false,
    fadeDuration: 0, localIdeographFontFamily: FONTS.join(", "),
    style: {
      version: 8,
      sources: { ...baseSources(), place: { type: "geojson", data: point(lon, lat) } },
      layers: [...baseLayers(), {
        id: "place", type: "circle", source: "place",
        paint: { "circle-color": "#c0392b", "circle-radius": 9, "circle-stroke-color": "#ffffff", "circle-stroke-width": 3 },
      }],
    },
  });
  map.addControl(new maplibregl.AttributionControl({ compact: false, customAttribution: attribution }));
  container.placeMap = map; // lets a browser test ask where the place is drawn
  return new Promise((resolve) => map.on("load", () => resolve(map)));
}
