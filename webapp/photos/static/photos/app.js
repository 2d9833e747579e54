// Enhancements for every page.

// The server marks each photo's placeholder and width cap as data attributes: the
// Content-Security-Policy forbids inline style attributes, but styles set through the CSSOM
// from this (same-origin) script are allowed. Module scripts run once the document is parsed.
export function applyImageStyles(root = document) {
  for (const img of root.querySelectorAll("img.photo-img[data-placeholder], img.photo-img[data-max-width]")) {
    if (img.dataset.placeholder && !img.classList.contains("is-loaded")) {
      img.style.backgroundImage = `url("${img.dataset.placeholder}")`;
    }
    const maxWidth = Number.parseInt(img.dataset.maxWidth || "", 10);
    if (maxWidth > 0) img.style.maxWidth = `min(100%, ${maxWidth}px)`;
  }
}
applyImageStyles();

// Once a photo has loaded, drop its blurred placeholder so it never shows through
// transparent pixels. `load` does not bubble: listen in the capture phase.
document.addEventListener(
  "load",
  (event) => {
    const target = event.target;
    if (target instanceof HTMLImageElement && target.classList.contains("photo-img")) {
      target.classList.add("is-loaded");
    }
  },
  true,
);
