// A confirmation that asks why: closing a facility or removing a walking edit needs a note,
// which the server keeps in the audit entry. Cancel (or Esc) resolves null and changes nothing.
import { t } from "/static/api.js";
import { $ } from "/shared/core.js";

// Ask to confirm; resolves the note (trimmed, never empty) or null when cancelled.
export function confirmWithNote({ title, body }) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-body").textContent = body;
  $("confirm-note").value = "";
  $("confirm-error").textContent = "";
  return new Promise((resolve) => {
    const finish = (note) => {
      $("confirm-form").removeEventListener("submit", submit);
      $("confirm-cancel").removeEventListener("click", cancel);
      dialog.removeEventListener("cancel", cancel);
      dialog.close();
      resolve(note);
    };
    const submit = (event) => {
      event.preventDefault();
      const note = $("confirm-note").value.trim();
      if (!note) { $("confirm-error").textContent = t("staff.confirm.note_missing"); $("confirm-note").focus(); return; }
      finish(note);
    };
    const cancel = (event) => { event.preventDefault(); finish(null); };
    $("confirm-form").addEventListener("submit", submit);
    $("confirm-cancel").addEventListener("click", cancel);
    dialog.addEventListener("cancel", cancel); // Esc
    dialog.showModal();
    $("confirm-note").focus();
  });
}
