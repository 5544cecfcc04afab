// The map: the area's own streets, buildings and water from /api/basemap, walking areas,
// facilities coloured by content area, the route. No font glyphs: labels are HTML markers.
import * as maplibregl from "/vendor/maplibre/maplibre-gl.mjs";

const EMPTY = { type: "FeatureCollection", features: [] };

function style(area, taxonomy) {
  const colours = ["match", ["get", "area"]];
  for (const a of taxonomy.areas) colours.push(a.code, a.color);
  colours.push("#666666");
  const sources = {
    streets: { type: "geojson", data: "/api/basemap/streets" },
    buildings: { type: "geojson", data: "/api/basemap/buildings" },
    water: { type: "geojson", data: "/api/basemap/water" },
    areas: { type: "geojson", data: EMPTY },
    route: { type: "geojson", data: EMPTY },
    facilities: { type: "geojson", data: EMPTY },
    origin: { type: "geojson", data: EMPTY },
  };
  const layers = [{ id: "bg", type: "background", paint: { "background-color": "#f2efe9" } }];
  if (area.tile_url) {
    sources.tiles = { type: "raster", tiles: [area.tile_url], tileSize: 256 };
    layers.push({ id: "tiles", type: "raster", source: "tiles" });
  }
  layers.push(
    { id: "water", type: "fill", source: "water", paint: { "fill-color": "#a9cce3" } },
    { id: "buildings", type: "fill", source: "buildings", paint: { "fill-color": "#d9d0c7" } },
    {
      id: "streets", type: "line", source: "streets",
      paint: {
        "line-color": ["match", ["get", "class"], "major", "#f7c873", "minor", "#ffffff", "#c9c2b8"],
        "line-width": ["match", ["get", "class"], "major", 6, "minor", 3.5, 1.5],
      },
    },
    {
      id: "areas", type: "fill", source: "areas",
      paint: {
        "fill-color": ["match", ["get", "minutes"], 5, "#1a9850", 10, "#91cf60", "#fee08b"],
        "fill-opacity": 0.28,
      },
    },
    {
      id: "areas-line", type: "line", source: "areas",
      paint: { "line-color": "#555", "line-width": 1.5, "line-dasharray": [2, 2] },
    },
    {
      id: "route", type: "line", source: "route",
      paint: { "line-color": "#1565c0", "line-width": 6, "line-opacity": 0.9 },
    },
    {
      id: "facilities", type: "circle", source: "facilities",
      paint: {
        "circle-color": colours,
        "circle-radius": [
          "interpolate", ["linear"], ["zoom"],
          14, ["case", ["boolean", ["get", "chosen"], false], 8, 3.5],
          17, ["case", ["boolean", ["get", "chosen"], false], 12, 8],
        ],
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 14, 1, 17, 2],
      },
    },
    {
      id: "origin", type: "circle", source: "origin",
      paint: { "circle-color": "#c0392b", "circle-radius": 9, "circle-stroke-color": "#fff", "circle-stroke-width": 3 },
    },
  );
  return { version: 8, sources, layers };
}

export class AreaMap {
  constructor(container, { area, taxonomy, onFacility }) {
    const [w, s, e, n] = area.bbox;
    this.map = new maplibregl.Map({
      container, style: style(area, taxonomy), bounds: [[w, s], [e, n]],
      attributionControl: false, fadeDuration: 0,
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    this.ready = new Promise((resolve) => this.map.on("load", resolve));
    this.here = null;
    this.map.on("click", "facilities", (ev) => onFacility(ev.features[0].properties.id));
    this.map.on("mouseenter", "facilities", () => { this.map.getCanvas().style.cursor = "pointer"; });
    this.map.on("mouseleave", "facilities", () => { this.map.getCanvas().style.cursor = ""; });
  }

  async set(name, data) {
    await this.ready;
    this.map.getSource(name).setData(data || EMPTY);
  }

  async showOrigin(origin, label) {
    await this.ready;
    const point = { type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [origin.lon, origin.lat] } };
    this.map.getSource("origin").setData({ type: "FeatureCollection", features: [point] });
    if (this.here) this.here.remove();
    const el = document.createElement("div");
    el.className = "here";
    el.textContent = label;
    this.here = new maplibregl.Marker({ element: el, anchor: "bottom", offset: [0, -12] })
      .setLngLat([origin.lon, origin.lat]).addTo(this.map);
  }

  // Resolves once everything set so far is drawn.
  async idle() {
    await this.ready;
    if (!this.map.loaded() || !this.map.areTilesLoaded()) {
      await new Promise((resolve) => this.map.once("idle", resolve));
    }
  }

  async fit(coords, { padding = 40 } = {}) {
    await this.ready;
    if (!coords.length) return;
    const bounds = new maplibregl.LngLatBounds(coords[0], coords[0]);
    for (const c of coords) bounds.extend(c);
    this.map.fitBounds(bounds, { padding, maxZoom: 17, duration: 0 });
  }
}
