// The resident's case page /c/<token>: status, every public step with its time, every public
// reply, the follow-up (solved? satisfied?) once the case is handled, and a text to post back to
// the grid's WeChat group. It shows only what /api/c/<token> gives: nothing personal. Text only, never HTML.
import { getJSON, loadMessages, t, translatePage } from "./api.js";

const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(location.pathname.replace(/^\/c\//, "").split("/")[0]);
const page = { lang: "", answer: { solved: null, satisfaction: null }, area: null };

function api(path) {
  return page.lang ? `${path}${path.includes("?") ? "&" : "?"}lang=${page.lang}` : path;
}

// "2026-11-06T14:30:00+08:00" → "2026-11-06 14:30" (the desk's own local time).
function when(iso) {
  return iso ? iso.slice(0, 16).replace("T", " ") : "—";
}

function step(item) {
  const li = document.createElement("li");
  const head = document.createElement("p");
  head.className = "step-head";
  const time = document.createElement("time");
  time.textContent = when(item.at);
  time.dateTime = item.at || "";
  const name = document.createElement("strong");
  name.textContent = item.action_name;
  head.append(time, " ", name);
  li.append(head);
  if (item.note) {
    const note = document.createElement("p");
    note.className = "reply";
    note.textContent = item.note;
    li.append(note);
  }
  li.dataset.action = item.action;
  return li;
}

function lastReply(view) {
  const replies = view.timeline.filter((s) => s.note);
  return replies.length ? replies[replies.length - 1].note : "";
}

// The short public text for the grid's WeChat group: what, where, status, last answer, the link.
function groupText(view) {
  return t("web.case.group_text", {
    category: view.category_name,
    place: view.place || "—",
    summary: view.summary || "—",
    state: view.state_name,
    reply: lastReply(view) || t("web.case.no_reply"),
    link: location.origin + location.pathname,
  });
}

function render(view) {
  $("case").hidden = false;
  document.body.dataset.state = view.state;
  $("case-state").textContent = view.state_name;
  $("case-state").className = `state is-${view.open ? "open" : "shut"}`;
  $("case-number").textContent = t("web.case.number", { id: view.case_id });
  $("case-category").textContent = view.category_name;
  $("case-summary").textContent = view.summary;
  $("case-summary").hidden = !view.summary;
  $("case-place").textContent = view.place ? t("web.case.place", { place: view.place }) : "";
  $("case-merged").hidden = view.merged_into === null;
  if (view.merged_into !== null) $("case-merged").textContent = t("web.case.merged", { id: view.merged_into });
  $("case-received").textContent = when(view.received_at);
  $("case-due").textContent = when(view.due_resolution_at);
  $("case-steps").replaceChildren(...view.timeline.map(step));
  $("feedback").hidden = !(view.can_give_feedback && !view.feedback);
  const given = view.feedback;
  $("feedback-given").hidden = !given;
  if (given) {
    $("feedback-given").textContent = t("web.case.feedback_given", {
      solved: t(given.solved ? "web.case.solved_yes" : "web.case.solved_no"),
      satisfaction: t(`web.case.${given.satisfaction}`),
    });
  }
  $("group-text").value = groupText(view);
}

function choose(group, attr, value) {
  for (const b of document.querySelectorAll(`[data-${attr}]`)) {
    b.setAttribute("aria-checked", String(b.dataset[group] === value));
  }
}

async function sendFeedback(event) {
  event.preventDefault();
  const problem = $("fb-problem");
  const { solved, satisfaction } = page.answer;
  if (solved === null || satisfaction === null) {
    problem.textContent = t("web.case.feedback_incomplete");
    problem.hidden = false;
    return;
  }
  $("fb-send").disabled = true;
  try {
    const response = await fetch(api(`/api/c/${encodeURIComponent(token)}/feedback`), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ solved, satisfaction, comment: $("fb-comment").value.trim() }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body && body.error ? body.error.message : `HTTP ${response.status}`);
    problem.hidden = true;
    render(body);
    $("status").textContent = t("web.case.feedback_thanks");
  } catch (error) {
    problem.textContent = t("web.error", { message: error.message });
    problem.hidden = false;
  } finally {
    $("fb-send").disabled = false;
  }
}

function wire() {
  for (const b of document.querySelectorAll("[data-solved]")) {
    b.addEventListener("click", () => { page.answer.solved = b.dataset.solved === "true"; choose("solved", "solved", b.dataset.solved); });
  }
  for (const b of document.querySelectorAll("[data-satisfaction]")) {
    b.addEventListener("click", () => { page.answer.satisfaction = b.dataset.satisfaction; choose("satisfaction", "satisfaction", b.dataset.satisfaction); });
  }
  $("feedback").addEventListener("submit", sendFeedback);
  $("group-copy").addEventListener("click", async () => {
    $("group-text").select();
    try {
      await navigator.clipboard.writeText($("group-text").value);
      $("group-copy").textContent = t("web.report.copied");
    } catch {
      $("group-copy").textContent = t("web.case.copy_select");
    }
  });
  $("lang").addEventListener("click", () => {
    document.cookie = `lang=${page.lang === "zh" ? "en" : "zh"}; path=/; max-age=31536000`;
    location.reload();
  });
}

async function main() {
  const asked = new URLSearchParams(location.search).get("lang");
  try {
    page.lang = await loadMessages(asked || "");
    const [areas, view] = await Promise.all([getJSON(api("/api/areas")), getJSON(api(`/api/c/${encodeURIComponent(token)}`))]);
    translatePage();
    document.documentElement.lang = page.lang === "zh" ? "zh-CN" : "en";
    $("lang").textContent = t("web.lang_switch");
    document.title = `${t("web.case.title")} · ${areas[0].name}`;
    if (areas[0].notice) { $("notice").textContent = areas[0].notice; $("notice").hidden = false; }
    wire();
    render(view);
  } catch (error) {
    translatePage();
    $("status").textContent = t("web.error", { message: error.message });
  }
  document.body.dataset.ready = "1";
}

main();
