// The document page's PDF viewer: pdf.js (npm pdfjs-dist) draws every page of the rendition
// into the page, lazily as it scrolls into view; the thumbnail strip scrolls to a page.
// Without JavaScript (or if pdf.js fails) the page keeps the embedded PDF and its link.
// The rendition is fetched with the page's grant: part of the page's one logged view.

const root = document.getElementById("viewer");

function fallback(status) {
  status.textContent = root.dataset.failed;
  const frame = document.createElement("iframe");
  frame.className = "pdf";
  frame.title = "PDF";
  frame.src = root.dataset.pdf;
  root.appendChild(frame);
}

function jumpTo(page) {
  const target = document.getElementById("seite-" + page);
  if (!target) return false;
  target.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
  return true;
}

async function start() {
  const status = root.querySelector(".viewer-status");
  let pdf;
  try {
    const pdfjs = await import(root.dataset.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.worker;
    pdf = await pdfjs.getDocument({
      url: root.dataset.pdf, withCredentials: true, isEvalSupported: false,
      disableRange: true, disableStream: true, enableXfa: false,
    }).promise;
  } catch (error) {
    console.error(error);
    fallback(status);
    return;
  }
  const label = root.dataset.pageLabel;
  const pages = [];
  for (let number = 1; number <= pdf.numPages; number++) {
    const holder = document.createElement("div");
    holder.className = "viewer-page";
    holder.id = "seite-" + number;
    holder.tabIndex = -1;
    holder.dataset.page = String(number);
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label + " " + number + " / " + pdf.numPages);
    holder.appendChild(canvas);
    root.appendChild(holder);
    pages.push(holder);
  }
  root.classList.add("viewer-ready");

  async function draw(holder) {
    if (holder.dataset.drawn) return;
    holder.dataset.drawn = "1";
    const page = await pdf.getPage(Number(holder.dataset.page));
    const natural = page.getViewport({ scale: 1 });
    const cssWidth = Math.max(200, holder.clientWidth || root.clientWidth || 600);
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: (cssWidth / natural.width) * ratio });
    const canvas = holder.querySelector("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = "100%";
    await page.render({ canvasContext: canvas.getContext("2d"), viewport, canvas }).promise;
  }

  // Placeholders keep the page's proportions until it is drawn, so scrolling lands right.
  const first = await pdf.getPage(1);
  const shape = first.getViewport({ scale: 1 });
  for (const holder of pages) holder.style.aspectRatio = shape.width + " / " + shape.height;

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        draw(entry.target).catch((error) => console.error(error));
        observer.unobserve(entry.target);
      }
    }
  }, { rootMargin: "400px 0px" });
  pages.forEach((holder) => observer.observe(holder));

  for (const link of document.querySelectorAll(".viewer-thumbs a[data-page]")) {
    link.addEventListener("click", (event) => {
      if (jumpTo(link.dataset.page)) event.preventDefault();
    });
  }
}

if (root) start();
