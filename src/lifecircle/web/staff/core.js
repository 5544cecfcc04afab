// What the staff map's modules share besides /shared/core.js: the page state (the session's
// fields plus the map's) and the "saved, minutes follow" message.
import { t } from "/static/api.js";
import { say, session } from "/shared/core.js";

//: The session (csrf, user, lang) with the staff map's own fields: one object.
export const state = Object.assign(session, {
  facilities: [], chosen: null, newPoint: null, staffMap: null, types: [], typeArea: new Map(), areas: [],
});

// Say that an edit was saved, and that residents' minutes follow shortly.
export function rebuilt(answer, key, values) {
  if (answer.data_version === null) { say(t("staff.unchanged")); return; }
  say(`${t(key, { ...values, version: answer.data_version })} ${t("staff.rebuilding")}`);
}
