// A case's history read as sentences in the page's language and the viewer's time zone
// ("gw1 called in urban management, property management on 3 Nov 14:05"), one key per action
// (web.desk.event.*), filled from the event's own facts; an event the reader may not see
// (restricted) says only who did what and when.
import { t } from "/static/api.js";
import { localTime } from "/shared/core.js";
import { desk } from "/desk/common.js";

const list = (names) => names.join(t("web.desk.event.and"));

function departmentName(code) {
  const found = (desk.me?.departments || []).find((d) => d.code === code);
  return found ? found.name : code;
}

// The grid a case went to, with its worker when one was assigned.
function routed(d, grids) {
  const grid = (grids || []).find((g) => g.code === d.grid);
  const name = grid ? grid.name : d.grid || "—";
  return d.assignee ? t("web.desk.event.grid_worker", { grid: name, name: d.assignee }) : name;
}

// What each action's sentence is filled with beyond who and when; a key of its own when the
// facts call for one (an extension refused, a close that followed the resident's callback).
const SENTENCES = {
  intake: (d, grids, e) => [e.actor_role === "resident" ? "intake_resident" : "intake",
    { source: t(`web.desk.source.${d.source}`) }],
  dispatch: (d, grids) => ["dispatch", { to: routed(d, grids) }],
  return: (d, grids) => ["return", { to: routed(d, grids) }],
  summarise: (d) => ["summarise", { summary: d.summary || "" }],
  visit: (d) => [d.people_met ? "visit_met" : "visit", { people: d.people_met || "" }],
  whistle: (d) => ["whistle", { departments: list((d.departments || []).map(departmentName)) }],
  report_in: (d) => [d.late_s > 0 ? "report_in_late" : "report_in", { department: departmentName(d.department) }],
  mediate: (d) => [d.parties ? "mediate_parties" : "mediate", { parties: d.parties || "" }],
  request_extension: (d) => ["request_extension", { days: d.days }],
  decide_extension: (d) => [d.approved ? "extension_approved" : "extension_refused", { days: d.days }],
  callback: (d) => ["callback", {
    solved: t(d.solved ? "web.case.solved_yes" : "web.case.solved_no"),
    satisfaction: t(`web.case.${d.satisfaction}`),
  }],
  close: (d) => [d.after === "callback" ? "close_after_callback" : "close", {}],
  reopen: (d) => [d.after === "callback" ? "reopen_after_callback" : "reopen", {}],
  merge: (d) => ["merge", { into: d.into }],
  link_walking: (d) => [d.kind === "barrier" ? "link_barrier" : "link_facility", { target: d.target || "" }],
  lift_walking: (d) => ["lift_walking", { target: d.target || "" }],
};
const PLAIN = new Set(["respond", "reply", "note", "hold", "resume", "finish"]);

// Who took the step: a staff member by name; the desk itself and the resident by their part.
function who(e) {
  if (e.actor_role === "system") return t("web.desk.event.system");
  if (e.actor_role === "resident") return t("web.desk.event.resident");
  return e.actor;
}

// The sentence for one event of case `c`'s history; `grids` names the grids (code → name).
export function sentence(e, grids) {
  const base = { who: who(e), when: localTime(e.at) };
  const make = SENTENCES[e.action];
  if (e.hidden || !(make || PLAIN.has(e.action))) {
    return t("web.desk.event.other", { ...base, action: e.action_name });
  }
  const [key, values] = make ? make(e.data || {}, grids, e) : [e.action, {}];
  return t(`web.desk.event.${key}`, { ...base, ...values });
}
