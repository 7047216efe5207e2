// suivi-clauses: the little the pages need beyond HTML. Everything works without it; it adds
// dropping a file on the upload form and following an import while it runs.
(function () {
  "use strict";

  // Drop a file on the zone: it fills the form's file field.
  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = document.getElementById(zone.getAttribute("data-dropzone"));
    var name = zone.querySelector("[data-file-name]");
    if (!input) { return; }
    function show() {
      if (name && input.files.length) { name.textContent = "Fichier choisi : " + input.files[0].name; }
    }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
  });

  // An import still running: ask where it stands every second, reload once it has ended.
  var follow = document.querySelector("[data-follow-import]");
  if (follow) {
    var url = "/api/imports/" + follow.getAttribute("data-follow-import");
    var bar = follow.querySelector("progress");
    var text = follow.querySelector("[data-progress-text]");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) { return; }
          if (state.status !== "running") { window.location.reload(); return; }
          if (bar && state.rows_total > 0) { bar.max = state.rows_total; bar.value = state.rows_done; }
          if (text) {
            text.textContent = (state.phase_label || "En cours") + " : " + state.rows_done + " ligne(s) sur " + state.rows_total;
          }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }
})();
