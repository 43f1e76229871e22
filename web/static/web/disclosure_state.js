/* The status page of an inspection package while it is built: polls the job's state (job
   state only, no content) and shows "Dokument k von n" and the bar; once the build is over,
   the page reloads itself to offer the download or show the reason (the status page logs
   nothing, so reloading it reads nothing). The German text comes with the JSON. */
(function () {
  "use strict";
  var box = document.getElementById("paket");
  if (!box || box.dataset.finished === "1") return;
  var state = box.querySelector(".state");
  var bar = document.getElementById("fortschritt");
  var percent = box.querySelector(".percent");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (job) {
        if (job.finished) { window.location.reload(); return; }
        state.textContent = job.state_label + ": " + job.progress_text;
        bar.value = job.percent;
        bar.textContent = job.percent + " %";
        percent.textContent = job.percent + " %";
        setTimeout(poll, 1500);
      })
      .catch(function () { state.textContent += " – " + box.dataset.unreachable; });
  }
  setTimeout(poll, 1500);
})();
