// The map: the area's own streets (named), buildings, water and green from /api/basemap, the
// walking areas, facilities coloured by content area (clustered when crowded), the route.
// No glyphs URL: MapLibre draws every label (CJK, Latin, digits) with the phone's own fonts,
// so nothing is fetched from outside. A tap anywhere within HIT_PX of a marker opens it.

const EMPTY = { type: "FeatureCollection", features: [] };
//: Half the side of the square a tap searches for a marker: a 44 px target, whatever is drawn.
const HIT_PX = 22;
//: The page's fonts, for labels; a name with "Bold" first asks MapLibre for a bold weight.
const FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "sans-serif"];
const BOLD = ["Noto Sans CJK SC Bold", ...FONTS];
const HALO = { "text-halo-color": "#ffffff", "text-halo-width": 2 };

function colours(taxonomy) {
  const match = ["match", ["get", "area"]];
  for (const a of taxonomy.areas) match.push(a.code, a.color);
  match.push("#666666");
  return match;
}

function baseLayers(area) {
  const layers = [{ id: "bg", type: "background", paint: { "background-color": "#f2efe9" } }];
  if (area.tile_url) layers.push({ id: "tiles", type: "raster", source: "tiles" });
  layers.push(
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
      id: "areas", type: "fill", source: "areas",
      paint: {
        "fill-color": ["match", ["get", "minutes"], 5, "#1a9850", 10, "#91cf60", "#fee08b"],
        "fill-opacity": 0.25,
      },
    },
    {
      id: "areas-line", type: "line", source: "areas",
      paint: { "line-color": "#555", "line-width": 1.5, "line-dasharray": [2, 2] },
    },
  );
  return layers;
}

// Street names: main roads from zoom 13, the smaller streets from 15 (English where OSM has it).
function labelLayers(lang) {
  const name = lang === "en" ? ["coalesce", ["get", "name_en"], ["get", "name"]] : ["get", "name"];
  const layer = (id, minzoom, classes) => ({
    id, type: "symbol", source: "streets", minzoom,
    filter: ["all", ["!=", ["get", "name"], ""], ["in", ["get", "class"], ["literal", classes]]],
    layout: {
      "symbol-placement": "line", "text-field": name, "text-font": FONTS,
      "text-size": ["interpolate", ["linear"], ["zoom"], 13, 13, 17, 16],
      "text-max-angle": 35, "symbol-spacing": 260, "text-padding": 4,
    },
    paint: { "text-color": "#3b3b3b", ...HALO },
  });
  return [layer("street-names", 13, ["major"]), layer("street-names-minor", 15, ["minor"])];
}

function markerLayers(taxonomy) {
  return [
    {
      id: "route-tail", type: "line", source: "route", filter: ["has", "tail"],
      paint: { "line-color": "#1565c0", "line-width": 3, "line-dasharray": [1.5, 1.5] },
    },
    {
      id: "route-casing", type: "line", source: "route", filter: ["!", ["has", "tail"]],
      layout: { "line-join": "round", "line-cap": "round" },
      paint: { "line-color": "#ffffff", "line-width": 11 },
    },
    {
      id: "route", type: "line", source: "route", filter: ["!", ["has", "tail"]],
      layout: { "line-join": "round", "line-cap": "round" },
      paint: { "line-color": "#1565c0", "line-width": 7 },
    },
    {
      id: "start", type: "circle", source: "start",
      paint: { "circle-color": "#ffffff", "circle-radius": 8, "circle-stroke-color": "#1565c0", "circle-stroke-width": 5 },
    },
    {
      id: "clusters", type: "circle", source: "facilities", filter: ["has", "point_count"],
      paint: {
        "circle-color": "#1f4e79",
        "circle-radius": ["step", ["get", "point_count"], 16, 10, 20, 40, 24],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 3,
      },
    },
    {
      id: "cluster-count", type: "symbol", source: "facilities", filter: ["has", "point_count"],
      layout: {
        "text-field": ["get", "point_count_abbreviated"], "text-font": BOLD, "text-size": 16,
        "text-allow-overlap": true,
      },
      paint: { "text-color": "#ffffff" },
    },
    {
      id: "facilities", type: "circle", source: "facilities", filter: ["!", ["has", "point_count"]],
      paint: {
        "circle-color": colours(taxonomy), "circle-radius": 9,
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 2.5,
      },
    },
    {
      id: "chosen", type: "circle", source: "chosen",
      paint: {
        "circle-color": colours(taxonomy), "circle-radius": 14,
        "circle-stroke-color": "#111111", "circle-stroke-width": 4,
      },
    },
    {
      id: "origin", type: "circle", source: "origin",
      paint: { "circle-color": "#c0392b", "circle-radius": 10, "circle-stroke-color": "#fff", "circle-stroke-width": 3 },
    },
    {
      id: "facility-names", type: "symbol", source: "facilities", minzoom: 16.5,
      filter: ["!", ["has", "point_count"]],
      layout: {
        "text-field": ["get", "name"], "text-font": FONTS, "text-size": 14,
        "text-anchor": "top", "text-offset": [0, 1], "text-optional": true, "text-max-width": 8,
      },
      paint: { "text-color": "#111111", ...HALO },
    },
  ];
}

function style(area, taxonomy, lang) {
  // tiles of the base map are cut up to zoom 16 and drawn larger beyond: a third of the work
  const base = (layer) => ({ type: "geojson", data: `/api/basemap/${layer}`, maxzoom: 16 });
  const sources = {
    streets: base("streets"),
    buildings: base("buildings"),
    water: base("water"),
    green: base("green"),
    areas: { type: "geojson", data: EMPTY },
    route: { type: "geojson", data: EMPTY },
    facilities: { type: "geojson", data: EMPTY, cluster: true, clusterRadius: 28, clusterMaxZoom: 16 },
    chosen: { type: "geojson", data: EMPTY },
    start: { type: "geojson", data: EMPTY },
    origin: { type: "geojson", data: EMPTY },
  };
  if (area.tile_url) sources.tiles = { type: "raster", tiles: [area.tile_url], tileSize: 256 };
  const layers = [...baseLayers(area), ...labelLayers(lang), ...markerLayers(taxonomy)];
  return { version: 8, sources, layers };
}

function point(lon, lat, properties = {}) {
  return { type: "Feature", properties, geometry: { type: "Point", coordinates: [lon, lat] } };
}

export class AreaMap {
  // maplibregl: the library module; onFacility(id) is called when a marker is tapped.
  constructor(maplibregl, container, { area, taxonomy, lang, attribution, onFacility }) {
    const [w, s, e, n] = area.bbox;
    this.lib = maplibregl;
    this.map = new maplibregl.Map({
      container, style: style(area, taxonomy, lang), bounds: [[w, s], [e, n]],
      attributionControl: false, fadeDuration: 0, localIdeographFontFamily: FONTS.join(", "),
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    this.map.addControl(new maplibregl.AttributionControl({ compact: false, customAttribution: attribution }));
    this.map.dragRotate.disable();
    this.map.touchZoomRotate.disableRotation();
    this.ready = new Promise((resolve) => this.map.on("load", resolve));
    this.here = null;
    this.onFacility = onFacility;
    this.onPick = null; // while set, a tap is a place chosen (report a problem), not a marker
    this.map.on("click", (ev) => (this.onPick ? this.onPick(ev.lngLat) : this.tap(ev.point)));
    this.map.on("mousemove", (ev) => {
      this.map.getCanvas().style.cursor = this.near(ev.point) ? "pointer" : "";
    });
    container.areaMap = this; // lets a browser test find markers and the route on screen
  }

  // The marker or cluster nearest to a screen point, within the 44 px target.
  near(at) {
    const box = [[at.x - HIT_PX, at.y - HIT_PX], [at.x + HIT_PX, at.y + HIT_PX]];
    const found = this.map.queryRenderedFeatures(box, { layers: ["chosen", "facilities", "clusters"] });
    let best = null;
    let bestDistance = Infinity;
    for (const feature of found) {
      const p = this.map.project(feature.geometry.coordinates);
      const distance = Math.hypot(p.x - at.x, p.y - at.y);
      if (distance < bestDistance) { best = feature; bestDistance = distance; }
    }
    return best;
  }

  async tap(at) {
    const feature = this.near(at);
    if (!feature) return;
    if (feature.layer.id !== "clusters") {
      this.onFacility(feature.properties.id);
      return;
    }
    const source = this.map.getSource("facilities");
    const apart = await source.getClusterExpansionZoom(feature.properties.cluster_id);
    // at least one step closer, so that a tap visibly does something
    const zoom = Math.min(18, Math.max(apart, this.map.getZoom() + 1));
    this.map.easeTo({ center: feature.geometry.coordinates, zoom, duration: 300 });
  }

  // The next taps choose a place: handler(lngLat); null gives taps back to the markers.
  pick(handler) {
    this.onPick = handler;
    this.map.getCanvas().style.cursor = handler ? "crosshair" : "";
  }

  async set(name, data) {
    await this.ready;
    this.map.getSource(name).setData(data || EMPTY);
  }

  // Facilities as markers; rows need id, name, area, lon, lat.
  async setFacilities(rows) {
    const features = rows.map((f) => point(f.lon, f.lat, { id: f.id, name: f.name, area: f.area }));
    await this.set("facilities", { type: "FeatureCollection", features });
  }

  async choose(facility) {
    const features = facility ? [point(facility.lon, facility.lat, { id: facility.id, area: facility.area })] : [];
    await this.set("chosen", { type: "FeatureCollection", features });
  }

  // The walking route (a GeoJSON Feature, or null), a ring where it starts and a dashed
  // last step from where the walk network ends (an entrance, say) to the facility's marker.
  async showRoute(route, facility = null) {
    const coords = route ? route.geometry.coordinates : [];
    const features = route ? [route] : [];
    if (coords.length && facility) {
      const tail = [coords[coords.length - 1], [facility.lon, facility.lat]];
      features.push({ type: "Feature", properties: { tail: true }, geometry: { type: "LineString", coordinates: tail } });
    }
    await this.set("route", { type: "FeatureCollection", features });
    const start = coords.length ? [point(coords[0][0], coords[0][1])] : [];
    await this.set("start", { type: "FeatureCollection", features: start });
  }

  async showOrigin(origin, label) {
    await this.ready;
    this.map.getSource("origin").setData({ type: "FeatureCollection", features: [point(origin.lon, origin.lat)] });
    if (this.here) this.here.remove();
    const el = document.createElement("div");
    el.className = "here";
    el.textContent = label;
    this.here = new this.lib.Marker({ element: el, anchor: "bottom", offset: [0, -12] })
      .setLngLat([origin.lon, origin.lat]).addTo(this.map);
  }

  // Resolves once everything set so far is drawn.
  async idle() {
    await this.ready;
    if (!this.map.loaded() || !this.map.areTilesLoaded()) {
      await new Promise((resolve) => this.map.once("idle", resolve));
    }
  }

  resize() {
    this.map.resize();
  }

  // Show every coordinate; padding in px (a number, or {top, bottom, left, right}). With
  // minZoom, a view wider than that zooms in on `center` instead.
  async fit(coords, padding = 40, { minZoom = 0, center = null } = {}) {
    await this.ready;
    if (!coords.length) return;
    const bounds = new this.lib.LngLatBounds(coords[0], coords[0]);
    for (const c of coords) bounds.extend(c);
    const view = this.map.cameraForBounds(bounds, { padding, maxZoom: 17 });
    if (view && view.zoom < minZoom) {
      this.map.jumpTo({ center: center || view.center, zoom: minZoom });
    } else {
      this.map.fitBounds(bounds, { padding, maxZoom: 17, duration: 0 });
    }
  }

  // How many parts of a layer are drawn on screen now (0: nothing of it is visible).
  drawn(layer) {
    return this.map.queryRenderedFeatures({ layers: [layer] }).length;
  }
}
