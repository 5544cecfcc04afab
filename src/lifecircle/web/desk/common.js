// What the desk's modules share besides /shared/core.js: the desk's session (the shared one
// with the desk's lists), due-time clocks and photo uploads.
import { t } from "/static/api.js";
import { ApiFailure, call, session } from "/shared/core.js";

//: The session (csrf, user, lang, onLoggedOut) with what /api/desk/me told: one object.
export const desk = Object.assign(session, { me: null });

// How long until a due time ("3 h left") or how long past it ("2 d overdue"), and whether late.
export function clockText(dueIso, nowMs = Date.now()) {
  if (!dueIso) return { text: "", late: false };
  const left = (Date.parse(dueIso) - nowMs) / 3600000;
  const hours = Math.abs(left);
  const amount = hours >= 48 ? t("web.desk.days", { n: Math.floor(hours / 24) })
    : hours >= 1 ? t("web.desk.hours", { n: Math.floor(hours) }) : t("web.desk.minutes", { n: Math.max(1, Math.round(hours * 60)) });
  return left >= 0 ? { text: t("web.desk.left", { time: amount }), late: false }
    : { text: t("web.desk.late", { time: amount }), late: true };
}

// Upload one photo (checked and stripped of metadata on the server); returns its name.
export async function uploadPhoto(file, maxBytes) {
  if (!["image/jpeg", "image/png", "image/webp"].includes(file.type)) {
    throw new ApiFailure(t("web.report.photo_type"), 0, "type");
  }
  if (maxBytes && file.size > maxBytes) {
    throw new ApiFailure(t("web.report.photo_size", { mb: (maxBytes / 1e6).toFixed(0) }), 0, "size");
  }
  const data = new FormData();
  data.set("photo", file);
  const answer = await call("POST", "/api/desk/photos", data);
  return answer.photo;
}
