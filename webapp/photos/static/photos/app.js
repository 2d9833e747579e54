// Enhancements for every page.

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
