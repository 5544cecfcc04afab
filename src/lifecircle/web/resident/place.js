// Choosing where from: a compound found by name or pinyin initials, or "use my location".
// Behind the "change" button, since a resident who scanned a board is already somewhere.
import { getJSON, t } from "./api.js";

const $ = (id) => document.getElementById(id);

// Show or hide the search and "use my location" (open when no place is chosen yet); the
// keyboard comes up only when the resident asked for the search.
export function showTools(open, { focus = false } = {}) {
  $("place").hidden = !open;
  $("change-place").setAttribute("aria-expanded", String(open));
  if (open && focus) $("search").focus();
}

async function search(text, { api, onChoose, onError }) {
  const box = $("search-results");
  box.replaceChildren();
  if (!text.trim()) { box.hidden = true; return; }
  let found = [];
  try {
    found = await getJSON(api(`/api/compounds?q=${encodeURIComponent(text.trim())}`));
  } catch (error) { onError(error); return; }
  if (!found.length) {
    const li = document.createElement("li");
    li.textContent = t("web.search.none");
    box.append(li);
  }
  for (const c of found.slice(0, 20)) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("role", "option");
    button.textContent = c.community ? t("web.search.item", { name: c.name, community: c.community }) : c.name;
    button.addEventListener("click", () => {
      box.hidden = true;
      $("search").value = c.name;
      showTools(false);
      onChoose({ kind: "compound", id: c.id }, `/?compound=${encodeURIComponent(c.id)}`);
    });
    li.append(button);
    box.append(li);
  }
  box.hidden = false;
}

function locate({ onChoose, onError }) {
  if (!navigator.geolocation) { onError(new Error("geolocation")); return; }
  $("locate").textContent = t("web.locate.busy");
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      $("locate").textContent = t("web.locate");
      showTools(false);
      onChoose({ kind: "point", lon: pos.coords.longitude, lat: pos.coords.latitude }, "/");
    },
    (err) => {
      $("locate").textContent = t("web.locate");
      $("status").textContent = t("web.locate.failed", { reason: err.message });
    },
    { enableHighAccuracy: true, timeout: 15000 },
  );
}

// api(path) adds the page's language; onChoose(origin, address); onError(error).
export function wirePlace(options) {
  let timer = null;
  $("search").addEventListener("input", (ev) => {
    clearTimeout(timer);
    timer = setTimeout(() => search(ev.target.value, options), 200);
  });
  $("locate").addEventListener("click", () => locate(options));
  $("change-place").addEventListener("click", () => showTools($("place").hidden, { focus: true }));
}
