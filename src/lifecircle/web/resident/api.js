// Talking to the lifecircle API (same origin only) and the page strings from /api/i18n.

export async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body;
}

let messages = {};

// Load the page strings; without ``lang`` the server picks from Accept-Language. Returns it.
export async function loadMessages(lang) {
  const query = lang ? `?lang=${encodeURIComponent(lang)}` : "";
  const answer = await getJSON(`/api/i18n${query}`);
  messages = answer.messages;
  return answer.lang;
}

// One catalogue string with {name} placeholders filled in (text only, never HTML).
export function t(key, values = {}) {
  const template = messages[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// Fill every element marked data-i18n / data-i18n-placeholder / data-i18n-aria.
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-aria]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAria));
  }
}
