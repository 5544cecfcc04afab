// The staff map: the area's own base map, facilities as clustered dots coloured by content area
// (as on the resident page), grey where the editor may only look, the chosen one ringed.
// Clicks go to one owner at a time: a road picker (road mode), else a marker within HIT_PX,
// else whatever the open tool asked for (a new facility's place, a gate). Nothing here moves a
// facility: only move mode (facilities.js) does, on purpose.
import * as maplibregl from "/vendor/maplibre/maplibre-gl.mjs";
import { BOLD, FONTS, baseLayers, baseSources, point } from "/shared/basemap.js";

const EMPTY = { type: "FeatureCollection", features: [] };
//: Half the side of the square a click searches for a marker: a generous 44 px target.
export const HIT_PX = 22;
const GREY = "#9e9e9e";
const MARKER_LAYERS = ["chosen", "facilities", "clusters"];

function areaColours(areas) {
  const match = ["match", ["get", "area"]];
  for (const a of areas) match.push(a.code, a.color);
  match.push("#666666");
  return ["case", ["get", "editable"], match, GREY];
}

function markerLayers(areas) {
  return [
    {
      id: "clusters", type: "circle", source: "facilities", filter: ["has", "point_count"],
      paint: {
        "circle-color": "#1f4e79",
        "circle-radius": ["step", ["get", "point_count"], 15, 10, 19, 40, 23],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 3,
      },
    },
    {
      id: "cluster-count", type: "symbol", source: "facilities", filter: ["has", "point_count"],
      layout: {
        "text-field": ["get", "point_count_abbreviated"], "text-font": BOLD, "text-size": 15,
        "text-allow-overlap": true,
      },
      paint: { "text-color": "#ffffff" },
    },
    {
      // a closed facility is a ring in its colour: still there to reopen, plainly not open
      id: "facilities", type: "circle", source: "facilities", filter: ["!", ["has", "point_count"]],
      paint: {
        "circle-color": ["case", ["get", "closed"], "#ffffff", areaColours(areas)],
        "circle-radius": ["case", ["get", "editable"], 8, 5],
        "circle-stroke-color": ["case", ["get", "closed"], areaColours(areas), "#ffffff"],
        "circle-stroke-width": ["case", ["get", "closed"], 3, 2],
      },
    },
    {
      id: "chosen", type: "circle", source: "chosen",
      paint: {
        "circle-color": ["case", ["get", "closed"], "#ffffff", areaColours(areas)], "circle-radius": 12,
        "circle-stroke-color": "#111111", "circle-stroke-width": 4,
      },
    },
    {
      id: "facility-names", type: "symbol", source: "facilities", minzoom: 17,
      filter: ["!", ["has", "point_count"]],
      layout: {
        "text-field": ["get", "name"], "text-font": FONTS, "text-size": 13,
        "text-anchor": "top", "text-offset": [0, 0.9], "text-optional": true, "text-max-width": 8,
      },
      paint: { "text-color": "#111111", "text-halo-color": "#ffffff", "text-halo-width": 2 },
    },
  ];
}

function style(areas) {
  return {
    version: 8,
    sources: {
      ...baseSources(),
      facilities: { type: "geojson", data: EMPTY, cluster: true, clusterRadius: 30, clusterMaxZoom: 16 },
      chosen: { type: "geojson", data: EMPTY },
    },
    layers: [...baseLayers(), ...markerLayers(areas)],
  };
}

// The map and who gets its clicks. `owner` (set by a tool) takes every click first, with
// the point; `onMarker(key)` hears marker clicks; `onEmpty(lngLat)` clicks on nothing.
export class StaffMap {
  constructor(container, { area, areas, attribution, onMarker }) {
    const [w, s, e, n] = area.bbox;
    this.lib = maplibregl;
    this.map = new maplibregl.Map({
      container, style: style(areas), bounds: [[w, s], [e, n]], attributionControl: false,
      fadeDuration: 0, localIdeographFontFamily: FONTS.join(", "),
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    this.map.addControl(new maplibregl.AttributionControl({ compact: false, customAttribution: attribution }));
    this.map.dragRotate.disable();
    this.onMarker = onMarker;
    this.owner = null;
    this.onEmpty = null;
    this.ready = new Promise((resolve) => this.map.on("load", resolve));
    this.map.on("click", (ev) => this.click(ev).catch(() => {}));
    this.map.on("mousemove", (ev) => {
      const pointer = this.owner ? "crosshair" : this.near(ev.point) ? "pointer" : "";
      this.map.getCanvas().style.cursor = pointer;
    });
    container.staffMap = this; // lets a browser test find markers on screen
  }

  // The marker or cluster nearest a screen point, within the 44 px target.
  near(at) {
    const box = [[at.x - HIT_PX, at.y - HIT_PX], [at.x + HIT_PX, at.y + HIT_PX]];
    let best = null;
    let bestDistance = Infinity;
    for (const feature of this.map.queryRenderedFeatures(box, { layers: MARKER_LAYERS })) {
      const p = this.map.project(feature.geometry.coordinates);
      const distance = Math.hypot(p.x - at.x, p.y - at.y);
      if (distance < bestDistance) { best = feature; bestDistance = distance; }
    }
    return best;
  }

  async click(ev) {
    if (this.owner) { this.owner(ev.lngLat, ev.point); return; }
    const feature = this.near(ev.point);
    if (!feature) { if (this.onEmpty) this.onEmpty(ev.lngLat); return; }
    if (feature.layer.id !== "clusters") { this.onMarker(feature.properties.key); return; }
    const apart = await this.map.getSource("facilities").getClusterExpansionZoom(feature.properties.cluster_id);
    const zoom = Math.min(19, Math.max(apart, this.map.getZoom() + 1));
    this.map.easeTo({ center: feature.geometry.coordinates, zoom, duration: 300 });
  }

  async setFacilities(rows, typeArea) {
    await this.ready;
    const features = rows.map((f) => point(f.lon, f.lat, {
      key: f.key, name: f.name, editable: Boolean(f.editable), closed: f.status === "closed",
      area: typeArea.get(f.type_code) || "",
    }));
    this.map.getSource("facilities").setData({ type: "FeatureCollection", features });
  }

  async choose(f, typeArea) {
    await this.ready;
    const features = f ? [point(f.lon, f.lat, {
      key: f.key, editable: Boolean(f.editable), closed: f.status === "closed",
      area: typeArea.get(f.type_code) || "",
    })] : [];
    this.map.getSource("chosen").setData({ type: "FeatureCollection", features });
  }

  // Where a facility's dot is drawn on screen now (null: not drawn, e.g. inside a cluster).
  drawnAt(key) {
    for (const feature of this.map.queryRenderedFeatures({ layers: ["facilities", "chosen"] })) {
      if (feature.properties.key === key) return this.map.project(feature.geometry.coordinates);
    }
    return null;
  }

  async idle() {
    await this.ready;
    if (!this.map.loaded() || !this.map.areTilesLoaded()) {
      await new Promise((resolve) => this.map.once("idle", resolve));
    }
  }
}
