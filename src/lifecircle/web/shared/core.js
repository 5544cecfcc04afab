// What the staff map, the grid desk and the welfare-visit pages share: the session (CSRF token,
// user, page language), calling the API, elements made with text only (never HTML), the status
// bar, the page language and times. One copy here; each page imports it from /shared/core.js.
// Every string comes from /api/i18n (t); data is only ever put in a page as text.
import { loadMessages, t, translatePage } from "/static/api.js";

export const $ = (id) => document.getElementById(id);

//: The signed-in session of this page. `onLoggedOut` is what a 401 of a logged-in page does.
export const session = { csrf: "", user: null, lang: "zh", onLoggedOut: () => {} };

// One element with text content (never HTML) and attributes.
export function el(tag, text = "", attrs = {}) {
  const node = document.createElement(tag);
  if (text !== "" && text !== null && text !== undefined) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

// The status bar (#status-bar holding #status and #status-dismiss) shows the latest message
// only. An error stays until it is dismissed or a later message (a result, or another error)
// replaces it; an empty message clears the bar.
export function say(text, error = false) {
  $("status").textContent = text;
  $("status-bar").classList.toggle("error", error);
  $("status-bar").dataset.kind = text ? (error ? "error" : "info") : "";
  $("status-dismiss").hidden = !error;
}

export function dismissStatus() { say(""); }

// Let the status bar's × clear it.
function wireStatusBar() { $("status-dismiss").addEventListener("click", dismissStatus); }

// A record key in a URL path: "/" stays (osm:node/1), everything else is escaped.
export function keyPath(key) { return encodeURIComponent(key).replace(/%2F/g, "/"); }

// An API error: the server's message in the page language, its status and catalogue code.
export class ApiFailure extends Error {
  constructor(message, status, code, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

// Call the API as the signed-in user; writes carry the CSRF token; the server answers in the
// page's language. Errors throw an ApiFailure with the server's message.
export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = session.csrf;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const sep = path.includes("?") ? "&" : "?";
  let response;
  try {
    response = await fetch(`${path}${sep}lang=${session.lang}`, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiFailure(t("staff.error.network"), 0, "network");
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && session.user) session.onLoggedOut();
    const error = answer && answer.error;
    throw new ApiFailure(error ? error.message : `HTTP ${response.status}`, response.status,
      error ? error.code : "", error ? error.details : []);
  }
  return answer;
}

// Sign in with the page's #login form (name and password); the password field is emptied.
async function logIn(event) {
  event.preventDefault();
  const answer = await call("POST", "/api/staff/login", {
    name: $("login-name").value, password: $("login-password").value,
  });
  $("login-password").value = "";
  session.csrf = answer.csrf_token;
  session.user = answer.user;
  say("");
  return answer;
}

async function logOut() {
  const answer = await call("POST", "/api/staff/logout");
  session.csrf = answer.csrf_token;
  session.onLoggedOut();
  say(t("staff.logged_out"));
}

// Wire the page's sign-in (the #login form, the #logout button where there is one, the status
// bar's ×), then ask the server who is signed in. `start(signedIn)` opens the page for a user
// (at once, or after a login); `showLogin()` shows the form (also after a logout or a 401).
export async function startSession({ start, showLogin }) {
  session.onLoggedOut = () => { session.user = null; showLogin(); };
  wireStatusBar();
  $("login").addEventListener("submit", (event) => logIn(event).then(start).catch((err) => say(err.message, true)));
  $("logout")?.addEventListener("click", () => logOut().catch((err) => say(err.message, true)));
  const signedIn = await call("GET", "/api/staff/session");
  session.csrf = signedIn.csrf_token;
  session.user = signedIn.user;
  if (signedIn.user) await start(signedIn); else session.onLoggedOut();
}

// Load the page strings in `lang` (none: the browser's), fill the page and the language
// button (#lang); a cookie keeps the choice for the server's answers.
export async function setPageLanguage(lang) {
  session.lang = await loadMessages(lang);
  document.documentElement.lang = session.lang === "zh" ? "zh-CN" : "en";
  document.cookie = `lang=${session.lang}; path=/; SameSite=Lax`;
  translatePage();
  $("lang").textContent = t("staff.lang_switch");
  return session.lang;
}

// A time in the viewer's zone as the language writes it ("6 Dec, 14:05" in en), with the year
// when it is not this year's.
export function localTime(iso, lang = session.lang) {
  const at = new Date(iso);
  const options = { month: lang === "zh" ? "long" : "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (at.getFullYear() !== new Date().getFullYear()) options.year = "numeric";
  return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", options).format(at);
}

// "2026-11-06T14:30:00+08:00" → "11-06 14:30" (this year) or "2025-11-06 14:30".
export function when(iso) {
  if (!iso) return "—";
  const text = iso.slice(0, 16).replace("T", " ");
  return text.slice(0, 4) === String(new Date().getFullYear()) ? text.slice(5) : text;
}
