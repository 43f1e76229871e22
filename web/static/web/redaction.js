// Redaction by drawing: rectangles are drawn with the mouse (or pen, or finger) on a picture
// of the page, previewed as an overlay and, on request, as the server's picture of the page
// with black boxes (nothing is changed by that), and sent together with one reason. The
// boxes travel in the picture's pixels with the picture's size; the server turns them into
// millimetres of the page. Progress of the queued job is polled from its status URL.
// Without JavaScript this block stays hidden and the numeric form below is used.

const root = document.getElementById("drawing");

function init() {
  root.hidden = false;
  const select = root.querySelector("#drawing-page");
  const surface = root.querySelector("#drawing-surface");
  const image = root.querySelector("#drawing-image");
  const list = root.querySelector("#drawing-boxes");
  const form = root.querySelector("#drawing-form");
  const field = root.querySelector("#drawing-boxes-field");
  const preview = root.querySelector("#drawing-preview");
  const status = root.querySelector("#drawing-status");
  let boxes = [];
  let draft = null;

  const currentPage = () => Number(select.value);
  const option = () => select.selectedOptions[0];

  function overlay(box, className) {
    const element = document.createElement("div");
    element.className = className;
    element.style.left = (100 * box.x / box.image_width) + "%";
    element.style.top = (100 * box.y / box.image_height) + "%";
    element.style.width = (100 * box.width / box.image_width) + "%";
    element.style.height = (100 * box.height / box.image_height) + "%";
    surface.appendChild(element);
    return element;
  }

  function redraw() {
    surface.querySelectorAll(".drawing-box").forEach((element) => element.remove());
    list.replaceChildren();
    const counters = {};
    boxes.forEach((box, index) => {
      counters[box.page] = (counters[box.page] || 0) + 1;
      if (box.page === currentPage()) overlay(box, "drawing-box");
      const item = document.createElement("li");
      item.append(root.dataset.boxLabel.replace("%(page)s", box.page)
        .replace("%(number)s", counters[box.page]) + " ");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = root.dataset.removeLabel;
      remove.addEventListener("click", () => { boxes.splice(index, 1); redraw(); });
      item.appendChild(remove);
      list.appendChild(item);
    });
    field.value = JSON.stringify(boxes);
    preview.hidden = true;
  }

  function load() {
    image.src = option().dataset.image;
    redraw();
  }

  function point(event) {
    const rect = image.getBoundingClientRect();
    return {
      x: Math.min(Math.max(event.clientX - rect.left, 0), rect.width),
      y: Math.min(Math.max(event.clientY - rect.top, 0), rect.height),
      width: rect.width, height: rect.height,
    };
  }

  surface.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    surface.setPointerCapture(event.pointerId);
    const start = point(event);
    draft = { start, element: null };
  });
  surface.addEventListener("pointermove", (event) => {
    if (!draft) return;
    const now = point(event);
    const box = {
      x: Math.min(draft.start.x, now.x), y: Math.min(draft.start.y, now.y),
      width: Math.abs(now.x - draft.start.x), height: Math.abs(now.y - draft.start.y),
      image_width: now.width, image_height: now.height,
    };
    if (draft.element) draft.element.remove();
    draft.element = overlay(box, "drawing-box drawing-draft");
    draft.box = box;
  });
  surface.addEventListener("pointerup", () => {
    if (!draft) return;
    if (draft.element) draft.element.remove();
    const box = draft.box;
    draft = null;
    if (box && box.width >= 3 && box.height >= 3) {
      boxes.push({ page: currentPage(), ...box });
      redraw();
    }
  });

  select.addEventListener("change", load);

  root.querySelector("#drawing-preview-button").addEventListener("click", () => {
    const onPage = boxes.filter((box) => box.page === currentPage());
    preview.querySelector("img").src = option().dataset.preview + "&boxes="
      + encodeURIComponent(JSON.stringify(onPage));
    preview.hidden = false;
  });

  function poll(url) {
    fetch(url, { credentials: "same-origin" })
      .then((response) => { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then((job) => {
        if (!job.finished) {
          status.textContent = root.dataset.asked + ": " + job.state_label
            + (job.step_label ? " (" + job.step_label + ")" : "") + ", " + job.percent + " %";
          setTimeout(() => poll(url), 1500);
          return;
        }
        status.textContent = job.state === "done"
          ? root.dataset.done + " " + job.result_version + ". "
          : job.state_label + " – " + job.message + " (" + job.code + ") ";
        status.className = job.state === "done" ? "ok" : "error";
        const link = document.createElement("a");
        link.href = window.location.pathname;
        link.textContent = root.dataset.reload;
        status.appendChild(link);
      })
      .catch(() => { status.textContent += " – " + root.dataset.unreachable; });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!boxes.length) {
      status.textContent = root.dataset.empty;
      status.className = "error";
      return;
    }
    field.value = JSON.stringify(boxes);
    const submit = form.querySelector("#drawing-submit");
    submit.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => response.json().then((body) => ({ ok: response.ok, body })))
      .then(({ ok, body }) => {
        if (!ok) {
          status.textContent = body.message + " (" + body.code + ")";
          status.className = "error";
          submit.disabled = false;
          return;
        }
        status.className = "muted";
        status.textContent = root.dataset.asked + ": " + body.state_label + ", " + body.percent + " %";
        boxes = [];
        redraw();
        poll(body.url);
      })
      .catch(() => {
        status.textContent = root.dataset.unreachable;
        status.className = "error";
        submit.disabled = false;
      });
  });

  load();
}

if (root) init();
