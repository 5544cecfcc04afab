// The audit log read as sentences in the viewer's language and time zone:
// 「own 于 12月6日 14:05 将「某药店」的电话由 138… 改为 139…」, field by field, with the note.
// The API gives times as ISO 8601 with an offset; the browser shows them in its own zone.
import { t } from "/static/api.js";
import { $, call, el, localTime } from "/shared/core.js";
import { state } from "/staff/core.js";

const PAGE = 100;
const FIELDS = {
  name: "staff.audit.field.name", type_code: "staff.audit.field.type_code",
  address: "staff.audit.field.address", phone: "staff.audit.field.phone",
  opening_hours: "staff.audit.field.opening_hours", capacity: "staff.audit.field.capacity",
  status: "staff.audit.field.status", community: "staff.audit.field.community",
  subdistrict: "staff.audit.field.subdistrict", entrances: "staff.audit.field.entrances",
};
const STATUSES = { open: "staff.status.open", closed: "staff.status.closed", planned: "staff.status.planned" };
const SENTENCES = {
  "facility.update": update, "facility.move": moved, "facility.close": closed,
  "facility.add": (e, base) => t("staff.audit.add", base),
  "compound.entrances": entrances,
  "walking.add": (e, base) => walking("staff.audit.walking_add", e, base),
  "walking.remove": (e, base) => walking("staff.audit.walking_remove", e, base),
  "sheet.dry_run": (e, base) => t("staff.audit.sheet_dry_run", { ...base, file: e.detail.file ?? "" }),
  "sheet.import": (e, base) => t("staff.audit.sheet_import", { ...base, file: e.detail.file ?? "" }),
  login: (e, base) => t("staff.audit.login", base),
  "login.failed": (e, base) => t("staff.audit.login_failed", base),
  logout: (e, base) => t("staff.audit.logout", base),
  "user.add": (e, base) => t("staff.audit.user_add", { ...base, name: e.target }),
  "user.remove": (e, base) => t("staff.audit.user_remove", { ...base, name: e.target }),
  "user.passwd": (e, base) => t("staff.audit.user_passwd", { ...base, name: e.target }),
  "user.disable": (e, base) => t("staff.audit.user_disable", { ...base, name: e.target }),
  "user.enable": (e, base) => t("staff.audit.user_enable", { ...base, name: e.target }),
};
const audit = { before: null };

function typeName(code) {
  const type = state.types.find((x) => x.code === code);
  return type ? (state.lang === "zh" ? type.name_zh : type.name_en) : code;
}

function shown(field, value) {
  if (field === "status" && STATUSES[value]) return t(STATUSES[value]);
  if (field === "type_code") return typeName(value);
  if (Array.isArray(value)) return t("staff.audit.count", { n: value.length });
  const text = String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function empty(value) { return value === null || value === undefined || value === ""; }

// One field's change: "电话由 138 改为 139", "地址设为 …", "电话由 138 清空".
export function changeText({ field, before, after }) {
  const name = FIELDS[field] ? t(FIELDS[field]) : field;
  if (empty(before)) return t("staff.audit.change_set", { field: name, after: shown(field, after) });
  if (empty(after)) return t("staff.audit.change_clear", { field: name, before: shown(field, before) });
  return t("staff.audit.change", { field: name, before: shown(field, before), after: shown(field, after) });
}

function update(e, base) {
  const parts = e.changes.map(changeText).join(state.lang === "zh" ? "；" : "; ");
  return t("staff.audit.update", { ...base, changes: parts });
}

function place(p) { return `${Number(p[0]).toFixed(6)}, ${Number(p[1]).toFixed(6)}`; }

function moved(e, base) {
  const { from, to, moved_m: far } = e.detail;
  if (!from || !to) return update(e, base); // entries from before the distance was kept
  return t("staff.audit.move", { ...base, dist_m: Math.round(far), before: place(from), after: place(to) });
}

function noteText(note) { return note ? t("staff.audit.note", { note }) : ""; }

function closed(e, base) { return t("staff.audit.close", { ...base, note: noteText(e.note) }); }

function entrances(e, base) {
  const change = e.changes.find((c) => c.field === "entrances");
  if (!change) return update(e, base);
  return t("staff.audit.entrances", { ...base, before: (change.before || []).length, after: (change.after || []).length });
}

function walking(key, e, base) {
  const kind = e.detail.edit_kind ? t(`staff.walking.kind_${e.detail.edit_kind}`) : "";
  return t(key, { ...base, target: e.target, kind, note: noteText(e.note) });
}

// The sentence for one audit entry in the page's language.
export function sentence(entry) {
  const base = { who: entry.user, when: localTime(entry.at), name: entry.name || entry.target };
  const say = SENTENCES[entry.action];
  if (say) return say(entry, base);
  return t("staff.audit.other", { ...base, action: entry.action, target: entry.target });
}

function row(entry) {
  const item = el("li", "", { "data-action": entry.action, "data-id": entry.id });
  item.append(el("p", sentence(entry), { class: "sentence" }));
  const version = entry.data_version === null ? "" : t("staff.audit.version", { version: entry.data_version });
  item.append(el("p", [version, entry.target].filter(Boolean).join(" · "), { class: "muted" }));
  return item;
}

export async function openAudit(fresh) {
  if (fresh) { audit.before = null; $("audit-rows").replaceChildren(); }
  const query = audit.before ? `?before_id=${audit.before}` : "";
  const rows = await call("GET", `/api/staff/audit${query}`);
  for (const entry of rows) $("audit-rows").append(row(entry));
  if (rows.length) audit.before = rows[rows.length - 1].id;
  $("audit-more").hidden = rows.length < PAGE;
}
