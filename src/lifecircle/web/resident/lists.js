// What a resident asks first: the nearest of each type of service, grouped by the 10 content
// areas in the taxonomy's order and colours, each row saying honestly what the data says
// (within / beyond / missing / not collected, from the API's `reach`); and behind it
// the full list by minutes. Minutes are the API's whole minutes, shown as they come.
import { t } from "./api.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// "9 min" / "450 m" / "—": the API's shown value in its unit, never rounded here.
export function walkText(value, unit) {
  if (value === null || value === undefined) return "—";
  return unit === "m" ? t("web.metres", { n: value }) : t("web.minutes", { n: value });
}

function levelText(type, unit) {
  return unit === "m" ? "" : t("web.nearest.level", { n: type.level_min });
}

// The second line of a row: the facility's name (unless it is only its type's) and, when the
// level is not met, what the standard asks.
function rowNote(type, unit, typeName) {
  const parts = [];
  if (type.facility_name && type.facility_name !== typeName) parts.push(type.facility_name);
  if (type.minutes === null) parts.push(t("web.nearest.none_reached"));
  if (type.reach === "missing" || type.reach === "beyond") parts.push(levelText(type, unit));
  return parts.filter(Boolean).join(" · ");
}

function typeRow(type, { unit, names, onPick }) {
  const li = el("li");
  const row = el(type.facility_id ? "button" : "div", `type-row is-${type.reach}`);
  row.dataset.type = type.type;
  row.dataset.reach = type.reach;
  const text = el("span", "text");
  const head = el("span", "name", names(type.type));
  if (type.reach === "missing") head.append(" ", el("span", "badge", t("web.nearest.missing")));
  text.append(head, el("span", "what", rowNote(type, unit, names(type.type))));
  row.append(text, el("span", "min", walkText(type.minutes, unit)));
  if (type.facility_id) {
    row.type = "button";
    row.dataset.facility = type.facility_id;
    row.addEventListener("click", () => onPick(type));
  }
  li.append(row);
  return li;
}

// One content area: its collected types as rows, the types nobody surveyed in one line.
function areaGroup(area, types, options) {
  const section = el("section", "group");
  section.dataset.area = area.code;
  section.style.setProperty("--area", area.color);
  const title = el("h3", "group-title");
  title.append(el("span", "dot"), options.areaName(area));
  section.append(title);
  const shown = types.filter((x) => x.reach !== "not_collected");
  if (shown.length) {
    const list = el("ul", "types");
    for (const type of shown) list.append(typeRow(type, options));
    section.append(list);
  }
  const unknown = types.filter((x) => x.reach === "not_collected").map((x) => options.names(x.type));
  if (unknown.length) {
    section.append(el("p", "uncollected", t("web.nearest.not_collected", { types: unknown.join(t("web.join")) })));
  }
  return section;
}

// Render the nearest of each type into `box`, content area by content area (or one area).
// options: access, taxonomy, filter (area code or null), names(code), areaName(area), onPick(type)
export function renderNearest(box, options) {
  const { access, taxonomy, filter } = options;
  box.replaceChildren();
  const byArea = new Map(taxonomy.areas.map((a) => [a.code, []]));
  for (const type of access.types) byArea.get(type.area)?.push(type);
  const rowOptions = { ...options, unit: access.unit };
  for (const area of taxonomy.areas) {
    if (filter && area.code !== filter) continue;
    const types = byArea.get(area.code);
    if (types.length) box.append(areaGroup(area, types, rowOptions));
  }
}

// The full list by minutes: `rows` (already filtered), the first `shown` of them.
export function renderAll(list, rows, { shown, unit, names, colour, onPick }) {
  list.replaceChildren();
  for (const f of rows.slice(0, shown)) {
    const li = el("li");
    const button = el("button", "place-row");
    button.type = "button";
    button.dataset.facility = f.id;
    const dot = el("span", "dot");
    dot.style.background = colour(f.area);
    const text = el("span", "text");
    text.append(el("span", "name", f.name), el("span", "what", names(f.type)));
    button.append(dot, text, el("span", "min", walkText(f.minutes, unit)));
    button.addEventListener("click", () => onPick(f));
    li.append(button);
    list.append(li);
  }
}
