// What every staff module shares: the page state, text-only elements, the status bar and the
// API call. All text comes from /api/i18n (staff.* keys); data is only ever put in as text.
import { t } from "/static/api.js";

const $ = (id) => document.getElementById(id);
export const state = {
  csrf: "", user: null, lang: "zh", facilities: [], chosen: null, newPoint: null,
  staffMap: null, types: [], typeArea: new Map(), areas: [],
};

// One element with text content (never HTML) and attributes.
export function el(tag, text = "", attrs = {}) {
  const node = document.createElement(tag);
  if (text !== "") node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

// The status bar shows the latest message only. An error stays until it is dismissed or a
// later message (a result, or another error) replaces it; an empty message clears the bar.
export function say(text, error = false) {
  $("status").textContent = text;
  $("status-bar").classList.toggle("error", error);
  $("status-bar").dataset.kind = text ? (error ? "error" : "info") : "";
  $("status-dismiss").hidden = !error;
}

export function dismissStatus() { say(""); }

// A record key in a URL path: "/" stays (osm:node/1), everything else is escaped.
export function keyPath(key) { return encodeURIComponent(key).replace(/%2F/g, "/"); }

// Call the staff API; writes carry the CSRF token; errors throw with the server's message.
// `onLoggedOut` is what a 401 of a logged-in page does (staff.js sets it).
export const hooks = { onLoggedOut: () => {} };

export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new Error(t("staff.error.network"));
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && state.user) hooks.onLoggedOut();
    throw new Error(answer && answer.error ? answer.error.message : `HTTP ${response.status}`);
  }
  return answer;
}

// Say that an edit was saved, and that residents' minutes follow shortly.
export function rebuilt(answer, key, values) {
  if (answer.data_version === null) { say(t("staff.unchanged")); return; }
  say(`${t(key, { ...values, version: answer.data_version })} ${t("staff.rebuilding")}`);
}
