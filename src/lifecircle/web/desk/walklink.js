// The walking link on a verified walking case (blocked gate, broken footbridge, lifted path):
// in one action the case becomes a barrier in the walk network (a compound's gate closed, or
// the way or node nearest a gate or its own point) or a facility status change, linked both ways; the
// residents' minutes are rebuilt. Lifting it (the problem fixed) undoes the edit. Heads only:
// the server refuses anyone else with its own message.
import { t } from "/static/api.js";
import { call, el, keyPath, say } from "/shared/core.js";

// The places a barrier may be near: the compound's gates, then the case's own point.
async function placesOf(c) {
  const places = [];
  if (c.compound_key) {
    try {
      const compound = await call("GET", `/api/compounds/${keyPath(c.compound_key)}`);
      compound.entrances.forEach((g, i) => places.push({ label: t("web.desk.walk.gate", { n: i + 1, name: compound.name }), lon: g.lon, lat: g.lat }));
    } catch { /* a compound no longer served: the point still works */ }
  }
  if (c.lon !== null && c.lat !== null) places.push({ label: t("web.desk.walk.case_point"), lon: c.lon, lat: c.lat });
  return places;
}

async function reload(c, onDone, message) {
  const updated = await call("GET", `/api/desk/cases/${c.id}`);
  say(message);
  onDone(updated);
}

function barrierForm(c, onDone) {
  const form = el("form", "", { class: "card", id: "walk-barrier" });
  form.append(el("h4", t("web.desk.walk.barrier")));
  const place = el("select", "", { id: "walk-place", "aria-label": t("web.desk.walk.place") });
  const kind = el("select", "", { id: "walk-kind", "aria-label": t("staff.walking.kind") });
  // a blocked gate is closed where it is (its compound walks out by its other gates); a blocked
  // crossing is its node (the way may be a whole street); a blocked path its way
  for (const k of ["closed_gate", "impassable_node", "impassable_way"]) kind.append(el("option", t(`staff.walking.kind_${k}`), { value: k }));
  const found = el("p", "", { class: "muted", id: "walk-found" });
  const note = el("input", "", { id: "walk-note", maxlength: "150", placeholder: t("staff.walking.note") });
  note.setAttribute("aria-label", t("staff.walking.note"));
  const send = el("button", t("web.desk.walk.mark"), { type: "submit", class: "primary", disabled: "" });
  form.append(el("label", t("web.desk.walk.place"), { for: "walk-place" }), place, found, kind, note, send);
  let nearest = null;
  const look = async () => {
    const p = form.places[Number(place.value)];
    nearest = null;
    send.disabled = true;
    if (!p) return;
    try {
      nearest = await call("GET", `/api/staff/walking/nearest?lon=${p.lon}&lat=${p.lat}`);
      found.textContent = t("web.desk.walk.found", { name: nearest.name || `OSM ${nearest.osm_id}`, m: Math.round(nearest.dist_m) });
      send.disabled = false;
    } catch (err) { found.textContent = err.message; }
  };
  placesOf(c).then((places) => {
    form.places = places;
    places.forEach((p, i) => place.append(el("option", p.label, { value: i })));
    look();
  });
  place.addEventListener("change", look);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!nearest) return;
    send.disabled = true;
    const p = form.places[Number(place.value)];
    const body = { kind: "barrier", edit_kind: kind.value, note: note.value.trim() };
    if (kind.value === "closed_gate") body.coords = [[p.lon, p.lat]];
    else body.osm_id = kind.value === "impassable_node" ? nearest.node_id : nearest.osm_id;
    try {
      const answer = await call("POST", `/api/desk/cases/${c.id}/walking`, body);
      await reload(c, onDone, t("web.desk.walk.marked", { target: answer.target }));
    } catch (err) { say(err.message, true); send.disabled = false; }
  });
  return form;
}

function facilityForm(c, onDone) {
  const form = el("form", "", { class: "card", id: "walk-facility" });
  form.append(el("h4", t("web.desk.walk.facility")));
  const pick = el("select", "", { id: "walk-fac", "aria-label": t("web.desk.walk.facility_pick") });
  const status = el("select", "", { id: "walk-status", "aria-label": t("staff.field.status") });
  for (const s of ["closed", "planned", "open"]) status.append(el("option", t(`staff.status.${s}`), { value: s }));
  const send = el("button", t("web.desk.walk.set_status"), { type: "submit" });
  form.append(pick, status, send);
  call("GET", "/api/staff/facilities").then((all) => {
    const near = (f) => Math.hypot(f.lon - c.lon, (f.lat - c.lat) * 1.6);
    all.filter((f) => f.editable).sort((a, b) => near(a) - near(b)).slice(0, 15)
      .forEach((f) => pick.append(el("option", f.name || f.key, { value: f.key })));
  }).catch(() => { form.hidden = true; });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const answer = await call("POST", `/api/desk/cases/${c.id}/walking`, { kind: "facility", facility: pick.value, status: status.value });
      await reload(c, onDone, t("web.desk.walk.marked", { target: answer.target }));
    } catch (err) { say(err.message, true); }
  });
  return form;
}

// The panel, or null when this case cannot be linked or lifted by this user now.
export function walkingPanel(c, { onDone }) {
  const canLink = c.actions.includes("link_walking");
  const live = c.links.filter((k) => !k.lifted_at);
  const canLift = c.actions.includes("lift_walking") && live.length > 0;
  if (!canLink && !c.links.length) return null;
  const box = el("section", "", { class: "part walking" });
  box.append(el("h3", t("web.desk.walk.title")));
  const ul = el("ul", "", { class: "links" });
  for (const k of c.links) {
    ul.append(el("li", t(k.lifted_at ? "web.desk.walk.lifted" : "web.desk.walk.live", { target: k.target, at: (k.lifted_at || k.created_at || "").slice(0, 16).replace("T", " ") })));
  }
  if (c.links.length) box.append(ul);
  if (canLink && c.lon !== null) box.append(el("p", t("web.desk.walk.hint"), { class: "hint" }), barrierForm(c, onDone), facilityForm(c, onDone));
  if (canLift) {
    const lift = el("button", t("web.desk.walk.lift"), { type: "button", id: "walk-lift" });
    lift.addEventListener("click", async () => {
      try {
        await call("POST", `/api/desk/cases/${c.id}/walking/lift`);
        await reload(c, onDone, t("web.desk.walk.lifted_done"));
      } catch (err) { say(err.message, true); }
    });
    box.append(lift);
  }
  return box;
}
