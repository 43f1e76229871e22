/* The document page while a redaction runs: polls the job's state (job state only, no
   content); once it is over, the page offers a reload rather than reloading itself, since
   each view of a document is logged. The German texts come from the box's data attributes. */
(function () {
  "use strict";
  var box = document.getElementById("redaction");
  if (!box || box.dataset.finished === "1") return;
  var state = box.querySelector(".state");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (job) {
        if (!job.finished) {
          state.textContent = job.state_label + (job.step_label ? " (" + job.step_label + ")" : "")
            + ", " + job.percent + " %";
          setTimeout(poll, 2000);
          return;
        }
        box.className = "redaction " + (job.state === "done" ? "ok" : "error");
        state.textContent = job.state === "done"
          ? box.dataset.done + " " + job.result_version + ". "
          : job.state_label + " – " + job.message + " (" + job.code + ") ";
        var link = document.createElement("a");
        link.href = window.location.pathname;
        link.textContent = box.dataset.reload;
        state.appendChild(link);
      })
      .catch(function () { state.textContent += " – " + box.dataset.unreachable; });
  }
  setTimeout(poll, 2000);
})();
