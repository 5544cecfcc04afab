// Welfare visits on a micro-grid head's phone: today's visits due, log one, this month's rate.
// All text comes from /api/i18n (staff.care.* keys); data is only ever put in the page as text.
import { t } from "/static/api.js";
import { $, call, el, say, session, setPageLanguage, startSession } from "/shared/core.js";

//: The session (csrf, user, lang) with the page's own fields: one object.
const state = Object.assign(session, { me: null, person: null });

function showLogin() {
  $("today").hidden = true;
  $("login").hidden = false;
}

async function showRate() {
  const answer = await call("GET", `/api/care/rates?month=${state.me.month}`);
  const total = answer.figures.find((f) => f.level === "total");
  $("rate").textContent = total && total.rate_pct !== null ? `${total.rate_pct.toFixed(1)}%` : "—";
  $("rate-count").textContent = t("staff.care.rate_count", {
    visited: total ? total.visited : 0, people: total ? total.on_register : 0,
  });
  $("overdue").textContent = t("staff.care.overdue_count", { n: total ? total.overdue : 0 });
}

async function ring(person, link) {
  const shown = await call("POST", `/api/care/people/${person.id}/reveal`, { reason: "visit" });
  if (!shown.phones.length) return;
  link.textContent = shown.phones[0];
  link.href = `tel:${shown.phones[0]}`;
}

function card(person) {
  const item = el("li", "", { "data-id": person.id });
  const name = el("div", person.name, { class: "name" });
  const status = person.due_status === "overdue" ? "overdue" : "today";
  name.append(el("span", t(`staff.care.status.${status}`), { class: `badge ${status}` }));
  item.append(name);
  const where = [person.compound, person.building, person.unit].filter(Boolean).join(" ");
  item.append(el("div", where, { class: "muted" }));
  item.append(el("div", t("staff.care.due_line", { level: person.level_name, day: person.due_on }),
    { class: "muted" }));
  const buttons = el("div", "", { class: "buttons" });
  const call_ = el("a", (person.phones || [])[0] || "—", { class: "call", href: "#" });
  call_.addEventListener("click", (event) => {
    if (call_.getAttribute("href") !== "#") return;
    event.preventDefault();
    ring(person, call_).catch((err) => say(err.message, true));
  });
  const log = el("button", t("staff.care.log"), { type: "button", class: "log" });
  log.addEventListener("click", () => openVisit(person));
  buttons.append(call_, log);
  item.append(buttons);
  return item;
}

async function showPeople() {
  const people = await call("GET", "/api/care/visits?due=true");
  $("people").replaceChildren(...people.map(card));
  $("empty").hidden = people.length > 0;
}

// ---- urgent "can't reach" checks: ring → door → contacts, each timed; then the outcome ----

const RESULTS = {
  ring: ["answered", "no_answer"],
  door: ["found_well", "found_needs_help", "no_answer"],
  contacts: ["reached", "not_reached"],
};
const OUTCOMES = ["safe", "helped", "emergency", "not_found"];

async function act(path, body) {
  try {
    await call("POST", path, body);
    await showChecks();
  } catch (err) {
    say(err.message, true);
  }
}

function stepLine(step) {
  const name = t(`staff.care.step.${step.step}`);
  if (step.done_at) {
    const result = t(`staff.care.result.${step.result}`);
    return t("staff.care.step_done", { step: name, result, minutes: step.minutes });
  }
  return t("staff.care.step_due", { step: name, time: step.due_at.slice(11, 16) });
}

function checkCard(check) {
  const item = el("li", "", { class: "check", "data-id": check.id });
  item.append(el("div", t("staff.care.check_head", { id: check.id, by: check.raised_by_name }),
    { class: "name" }));
  item.append(el("div", [check.who, check.where].filter(Boolean).join(" · "), { class: "muted" }));
  for (const step of check.steps) {
    item.append(el("div", stepLine(step), { class: step.late ? "late" : "muted" }));
  }
  const buttons = el("div", "", { class: "buttons wrap" });
  const next = check.steps.find((s) => !s.done_at);
  for (const result of next ? RESULTS[next.step] : []) {
    const button = el("button", t(`staff.care.result.${result}`),
      { type: "button", "data-step": next.step, "data-result": result });
    button.addEventListener("click",
      () => act(`/api/care/checks/${check.id}/steps`, { step: next.step, result }));
    buttons.append(button);
  }
  for (const outcome of check.steps[0].done_at ? OUTCOMES : []) {
    const button = el("button", t(`staff.care.close.${outcome}`),
      { type: "button", class: "close", "data-outcome": outcome });
    button.addEventListener("click", () => act(`/api/care/checks/${check.id}/close`, { outcome }));
    buttons.append(button);
  }
  item.append(buttons);
  return item;
}

async function showChecks() {
  const checks = await call("GET", "/api/care/checks");
  $("check-list").replaceChildren(...checks.map(checkCard));
  $("checks").hidden = checks.length === 0;
}

function openVisit(person) {
  state.person = person;
  $("visit-title").textContent = t("staff.care.visit_title", { name: person.name });
  $("v-note").value = "";
  $("v-mode").value = "phone";
  $("v-outcomes").querySelector("input[value=well]").checked = true;
  $("visit").showModal();
}

async function saveVisit(event) {
  event.preventDefault();
  const person = state.person;
  const outcome = $("v-outcomes").querySelector("input:checked").value;
  try {
    await call("POST", `/api/care/people/${person.id}/visits`, {
      mode: $("v-mode").value, outcome, note: $("v-note").value,
    });
    $("visit").close();
    say(t("staff.care.saved", { name: person.name }));
    await Promise.all([showPeople(), showRate()]);
  } catch (err) {
    say(err.message, true);
  }
}

function fillChoices() {
  $("v-mode").replaceChildren(...state.me.modes.map(
    (m) => el("option", t(`staff.care.mode.${m}`), { value: m })));
  const legend = $("v-outcomes").querySelector("legend");
  const radios = state.me.outcomes.map((o) => {
    const label = el("label");
    label.append(el("input", "", { type: "radio", name: "outcome", value: o }), t(`staff.care.outcome.${o}`));
    return label;
  });
  $("v-outcomes").replaceChildren(legend, ...radios);
}

async function start() {
  state.me = await call("GET", "/api/care/me");
  $("login").hidden = true;
  $("today").hidden = false;
  $("who").textContent = t("staff.signed_in_as", { name: state.me.user.name, role: state.me.user.role });
  fillChoices();
  await Promise.all([showChecks(), showPeople(), showRate()]);
  say("");
  document.body.dataset.ready = "true";
}

async function setLanguage(lang) {
  await setPageLanguage(lang);
  if (state.me) await start();
}

async function main() {
  await setLanguage();
  $("lang").addEventListener("click", () => setLanguage(state.lang === "zh" ? "en" : "zh"));
  $("visit-form").addEventListener("submit", saveVisit);
  $("v-cancel").addEventListener("click", () => $("visit").close());
  await startSession({ start, showLogin });
}

main().catch((err) => say(err.message, true));
