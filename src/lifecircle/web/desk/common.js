// What the desk's modules share: the session (CSRF token, user, the desk's lists), calling the
// API, making elements with text only (never HTML), the status line and times.
import { t } from "/static/api.js";

export const $ = (id) => document.getElementById(id);
export const desk = { csrf: "", user: null, me: null, lang: "zh", onLoggedOut: null };

// One element with text content and attributes.
export function el(tag, text = "", attrs = {}) {
  const node = document.createElement(tag);
  if (text !== "" && text !== null && text !== undefined) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

export function say(text, error = false) {
  const box = $("status");
  box.textContent = text;
  box.classList.toggle("error", error);
  box.hidden = !text;
}

// An API error: the server's message in the page language, its status and catalogue code.
export class ApiFailure extends Error {
  constructor(message, status, code, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

// Call the API as the logged-in user; writes carry the CSRF token.
export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = desk.csrf;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const sep = path.includes("?") ? "&" : "?";
  let response;
  try {
    response = await fetch(`${path}${sep}lang=${desk.lang}`, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiFailure(t("staff.error.network"), 0, "network");
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && desk.user && desk.onLoggedOut) desk.onLoggedOut();
    const error = answer && answer.error;
    throw new ApiFailure(error ? error.message : `HTTP ${response.status}`, response.status,
      error ? error.code : "", error ? error.details : []);
  }
  return answer;
}

// "2026-11-06T14:30:00+08:00" → "11-06 14:30" (this year) or "2025-11-06 14:30".
export function when(iso) {
  if (!iso) return "—";
  const text = iso.slice(0, 16).replace("T", " ");
  return text.slice(0, 4) === String(new Date().getFullYear()) ? text.slice(5) : text;
}

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
