// The review of one document: Page Up / Page Down turn its pages, as the page's own
// "previous page" / "next page" links do (they work without this script), unless a form
// control has the focus and the keys belong to it.
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (event.target.closest && event.target.closest("input, select, textarea, [contenteditable]")) return;
  const link = { PageUp: "previous-page", PageDown: "next-page" }[event.key];
  const target = link && document.getElementById(link);
  if (target) {
    event.preventDefault();
    window.location.assign(target.href);
  }
});
