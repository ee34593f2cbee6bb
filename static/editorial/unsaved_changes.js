/*
 * Warn before leaving an admin edit page whose form has changes that were not saved.
 *
 * The form's fields are read when the page opens and again when the editor leaves; a save
 * (submitting the form) leaves without a warning. A page shown again with errors holds
 * changes that were refused, so leaving it warns from the start.
 */
(function () {
  "use strict";

  function snapshot(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function watch(form) {
    var opened = snapshot(form);
    var refused = document.querySelector(".errornote") !== null;
    var saving = false;

    form.addEventListener("submit", function () {
      saving = true;
    });

    window.addEventListener("beforeunload", function (event) {
      if (saving || (!refused && snapshot(form) === opened)) {
        return undefined;
      }
      event.preventDefault();
      event.returnValue = "";
      return "";
    });

    form.dataset.unsavedChangesWatched = "true";
  }

  function start() {
    var form = document.querySelector("body.change-form #content-main form[id$='_form']");
    if (form) {
      watch(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
