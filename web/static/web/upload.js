// The mailroom's upload page: files chosen in the form or dropped on the drop zone are sent
// one by one to the ingest API; each gets a row with its upload and processing progress and,
// at the end, its outcome. Without JavaScript the form posts to the page itself.
(function () {
  "use strict";
  const script = document.currentScript;
  const ingestUrl = script.dataset.ingestUrl;
  const form = document.getElementById("upload");
  const input = document.getElementById("upload-files");
  const zone = document.getElementById("drop-zone");
  const table = document.getElementById("files");
  const summary = document.getElementById("upload-summary");
  const texts = JSON.parse(document.getElementById("upload-texts").textContent);
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const rows = [];

  function describe(job) {
    const o = job.outcome;
    if (!o) return job.state_label + (job.step ? " (" + job.step + ")" : "");
    let text = texts[job.state] || job.state_label;
    if (o.file_reference) text += " " + o.file_reference;
    if (o.code && job.state !== "split") text += " – " + o.code + ": " + (o.message || "");
    // A part's name is known once it has an outcome; until then only its state.
    job.children.forEach(function (child) {
      text += " | " + (child.outcome ? child.outcome.file + ": " : "") + describe(child);
    });
    return text;
  }
  function done(job) { return job.outcome && job.children.every(done); }

  function updateSummary() {
    const finished = rows.filter(function (row) { return row.dataset.finished; }).length;
    summary.textContent = texts.summary.replace("%(done)s", finished)
                                       .replace("%(total)s", rows.length);
  }
  function finish(row) {
    row.dataset.finished = "1";
    updateSummary();
  }
  // The progress cell: a bar for the eye, the number as text (read by screen readers too).
  function showProgress(cell, percent, text) {
    cell.textContent = "";
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = percent;
    bar.setAttribute("aria-hidden", "true");
    cell.appendChild(bar);
    cell.appendChild(document.createTextNode(text));
  }
  // A row must never stay at "uploading" or "waiting" for nothing: it ends with the reason.
  function fail(row, label, body) {
    const reason = body.code ? body.code + ": " + (body.message || "")
                             : body.message || body.detail || texts.no_answer;
    row.cells[2].textContent = label + " – " + reason;
    finish(row);
  }
  function parse(text) {
    try { return JSON.parse(text); } catch (error) { return {}; }
  }
  function poll(row, url) {
    fetch(url, {credentials: "same-origin"})
      .then(function (r) {
        return r.json().catch(function () { return {}; })
                .then(function (body) { return {ok: r.ok, body: body}; });
      })
      .catch(function () { return {ok: false, body: {}}; })
      .then(function (reply) {
        // The file was received and is processed anyway; only its state cannot be shown.
        if (!reply.ok) { fail(row, texts.no_state, reply.body); return; }
        const job = reply.body;
        showProgress(row.cells[1], job.progress.percent, job.progress.percent + " %");
        row.cells[2].textContent = describe(job);
        const document_id = job.outcome && job.outcome.document;
        if (document_id) {
          const link = document.createElement("a");
          link.href = "/dokumente/" + document_id + "/";
          link.textContent = texts.open;
          row.cells[2].append(" ", link);
        }
        if (done(job)) finish(row);
        else setTimeout(function () { poll(row, url); }, 1000);
      });
  }
  function upload(file, fields) {
    const row = table.insertRow();
    rows.push(row);
    row.insertCell().textContent = file.name;
    row.insertCell().textContent = texts.uploading;
    row.insertCell();
    updateSummary();
    const data = new FormData();
    data.append("file", file);
    Object.keys(fields).forEach(function (name) { data.append(name, fields[name]); });
    // XMLHttpRequest, not fetch: only it reports how much of the file has been sent.
    const request = new XMLHttpRequest();
    request.open("POST", ingestUrl);
    request.setRequestHeader("X-CSRFToken", csrf);
    request.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      const percent = Math.round(100 * event.loaded / event.total);
      showProgress(row.cells[1], percent, texts.uploading + " (" + percent + " %)");
    });
    request.addEventListener("load", function () {
      const body = parse(request.responseText);
      if (request.status < 200 || request.status >= 300) {
        row.cells[1].textContent = "";
        fail(row, body.code ? texts.refused : texts.failed, body);
        return;
      }
      poll(row, body.jobs[0].url);
    });
    request.addEventListener("error", function () {
      row.cells[1].textContent = "";
      fail(row, texts.failed, {});
    });
    request.send(data);
  }
  function fields() {
    const values = {};
    ["password", "device", "profile", "pages_declared", "rescan_of"].forEach(function (name) {
      const input = form.querySelector("[name=" + name + "]");  // rescan_of: mailroom only
      if (input && input.value) values[name] = input.value;
    });
    return values;
  }
  function uploadAll(files) {
    const shared = fields();
    Array.from(files).forEach(function (file) { upload(file, shared); });
    form.reset();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    uploadAll(input.files);
  });
  // Dropping files anywhere on the zone uploads them at once, like choosing and submitting.
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      if (!event.dataTransfer || !Array.from(event.dataTransfer.types).includes("Files")) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("dragover");
      zone.style.borderColor = "#24384f";
      zone.style.background = "#eef3f8";
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () {
      zone.classList.remove("dragover");
      zone.style.borderColor = "#6b7280";
      zone.style.background = "";
    });
  });
  zone.addEventListener("drop", function (event) {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    uploadAll(event.dataTransfer.files);
  });
})();
