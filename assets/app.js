// suivi-clauses: the little the pages need beyond HTML. Everything works without it; it adds
// dropping a file on the upload form, following an import while it runs, and the live preview
// of a clause's target while its parameters are typed.
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

  // A clause's calibration form: the target computed by the service (POST /api/calibrations)
  // as the parameters are typed. Numbers are read the French way ("1 000 000,50"); a share is
  // in percent; the « Prévisualiser » button does the same without scripts.
  function number(text) {
    var compact = String(text).replace(/[\s\u00a0\u202f€%]/g, "").replace(",", ".");
    return compact === "" || isNaN(Number(compact)) ? null : Number(compact);
  }
  function csrfToken(form) {
    var field = form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }
  function hoursText(hundredths) {
    return new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
      .format(hundredths / 100) + "\u00a0h";
  }
  document.querySelectorAll("form[data-calibration]").forEach(function (form) {
    var preview = form.querySelector("[data-preview]");
    form.previewSequence = 0;
    var field = function (name) { return number(form.querySelector("[name=" + name + "]").value); };
    var refresh = function () {
      var mode = form.querySelector("input[name=mode]:checked");
      if (!preview || (mode && mode.value === "typed")) { return; }
      var base = field("base_amount"), labour = field("labour_share"),
          rate = field("insertion_rate"), cost = field("hourly_cost");
      if (base === null || labour === null || rate === null || cost === null) { return; }
      // As the service reads a share: with « % », or from 1 up, a percentage; below 1, a fraction.
      var share = function (name, v) {
        var percent = form.querySelector("[name=" + name + "]").value.indexOf("%") >= 0 || v >= 1;
        return Math.round((percent ? v : v * 100) * 100);
      };
      // Answers may come back out of order while typing: only the latest request's answer is shown.
      var sent = ++form.previewSequence;
      fetch("/api/calibrations", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrfToken(form) },
        body: JSON.stringify({
          base_amount_cents: Math.round(base * 100),
          labour_share_basis_points: share("labour_share", labour),
          insertion_rate_basis_points: share("insertion_rate", rate),
          hourly_cost_cents: Math.round(cost * 100)
        })
      })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (sent !== form.previewSequence) { return; }
          preview.textContent = "";
          var line = document.createElement("p");
          if (answer.error) {
            line.className = "warning";
            line.textContent = answer.error.message;
            preview.appendChild(line);
            return;
          }
          line.textContent = "Objectif : ";
          var strong = document.createElement("strong");
          strong.setAttribute("data-preview-target", "");
          strong.textContent = hoursText(answer.target_hours_hundredths);
          line.appendChild(strong);
          preview.appendChild(line);
          if (answer.warning) {
            var warning = document.createElement("p");
            warning.className = "warning";
            warning.setAttribute("data-preview-warning", "");
            warning.textContent = answer.warning;
            preview.appendChild(warning);
          }
        })
        .catch(function () { /* the « Prévisualiser » button still works */ });
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
  });
})();
