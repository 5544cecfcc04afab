// The facility sheet: it peeks from the bottom (name, walk, open now, hours, call) so that the
// map and the route above it stay visible; a tap on its handle or a drag up shows the rest
// (address, type, source), a drag down closes it. Text only, set with textContent.
import { t } from "./api.js";

const $ = (id) => document.getElementById(id);
//: A drag shorter than this (px) is a tap.
const DRAG_PX = 30;

function fact(dl, label, value) {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value || t("web.unknown");
  dl.append(dt, dd);
}

export class Sheet {
  // onClose() is called when the resident closes the sheet (button or drag down).
  constructor({ onClose }) {
    this.box = $("sheet");
    this.handle = $("sheet-handle");
    this.onClose = onClose;
    this.dragged = false;
    $("sheet-close").addEventListener("click", () => this.close());
    this.handle.addEventListener("click", () => {
      if (!this.dragged) this.expand(this.box.dataset.state !== "full");
      this.dragged = false;
    });
    this.wireDrag();
  }

  wireDrag() {
    let start = null;
    this.handle.addEventListener("pointerdown", (ev) => {
      start = ev.clientY;
      this.handle.setPointerCapture(ev.pointerId);
    });
    this.handle.addEventListener("pointermove", (ev) => {
      if (start === null) return;
      const dy = ev.clientY - start;
      this.box.style.transform = dy > 0 ? `translateY(${dy}px)` : "";
    });
    const end = (ev) => {
      if (start === null) return;
      const dy = ev.clientY - start;
      start = null;
      this.box.style.transform = "";
      if (Math.abs(dy) < DRAG_PX) return; // a tap: the click handler toggles
      this.dragged = true;
      if (dy < 0) this.expand(true);
      else if (this.box.dataset.state === "full") this.expand(false);
      else this.close();
    };
    this.handle.addEventListener("pointerup", end);
    this.handle.addEventListener("pointercancel", end);
  }

  get isOpen() {
    return !this.box.hidden;
  }

  expand(full) {
    this.box.dataset.state = full ? "full" : "peek";
    this.handle.setAttribute("aria-expanded", String(full));
    this.handle.setAttribute("aria-label", t(full ? "web.sheet.less" : "web.sheet.more"));
  }

  // Fill the sheet with a facility (from /api/facilities/{id}); `walk` is the shown minutes
  // text, `from` where the walk starts when that is not the page's own place ("" otherwise).
  show(facility, { type, walk, from }) {
    this.box.dataset.facility = facility.id;
    delete this.box.dataset.routeMinutes;
    $("sheet-name").textContent = facility.name;
    $("sheet-walk").textContent = t("web.sheet.walk_line", { type, walk });
    $("sheet-from").textContent = from;
    $("sheet-from").hidden = !from;
    const open = $("sheet-open");
    open.textContent = facility.hours_text
      ? t("web.sheet.open_line", { state: t(`web.open.${facility.open_now}`), hours: facility.hours_text })
      : t(`web.open.${facility.open_now}`);
    open.className = `open is-${facility.open_now}`;
    const dl = $("sheet-facts");
    dl.replaceChildren();
    fact(dl, t("web.sheet.address"), facility.address);
    fact(dl, t("web.sheet.hours"), facility.hours_text);
    fact(dl, t("web.sheet.type"), type);
    fact(dl, t("web.sheet.source"), facility.source);
    const call = $("sheet-call");
    call.hidden = !facility.phone;
    if (facility.phone) {
      call.href = `tel:${facility.phone.replace(/[^\d+]/g, "")}`;
      call.textContent = t("web.sheet.call", { phone: facility.phone });
    }
    $("sheet-route").textContent = "";
    this.expand(false);
    this.box.hidden = false;
    document.body.dataset.sheet = "open";
  }

  // The route's line under the walk: its minutes (equal to the list's) and length.
  showRoute(route) {
    if (!route) {
      $("sheet-route").textContent = t("web.sheet.no_route");
      return;
    }
    const p = route.properties;
    $("sheet-route").textContent = t("web.sheet.route", { metres: Math.round(p.length_m) });
    this.box.dataset.routeMinutes = String(p.minutes);
  }

  close() {
    if (this.box.hidden) return;
    this.box.hidden = true;
    delete document.body.dataset.sheet;
    this.onClose();
  }

  // Pixels of the viewport the sheet covers from the bottom (0 when closed).
  coveredPx() {
    return this.box.hidden ? 0 : Math.max(0, window.innerHeight - this.box.getBoundingClientRect().top);
  }
}
