// The full-screen viewer, over the gallery or the photo page. It walks the gallery's order
// and filter (the page's data-query, the URL's query string) through the neighbours API,
// one photo either side at a time, so it never needs the whole list.
//
// History: opening pushes the photo's own URL (its page + the gallery's query string);
// moving replaces it, so the address bar always names the photo shown (share it, reload it:
// the photo page answers) and the browser's Back closes the viewer, as Esc does.
import { announce, config, requestJson } from "./api.js";

const dialog = document.getElementById("viewer");
const scope = document.getElementById("gallery") || document.querySelector(".photo-page");
const query = scope?.dataset.query || "";

const withQuery = (url) => (query ? `${url}?${query}` : url);
const detailUrl = (id) => config.detailUrl.replace("{id}", encodeURIComponent(id));
const neighboursUrl = (id) => withQuery(config.neighboursUrl.replace("{id}", encodeURIComponent(id)));

// Fit to the screen, then the large rendition pixel for pixel, then the original where the
// browser can draw it (the server says which: serializers.BROWSER_FORMATS).
const ZOOM_LABEL = {
  fit: "Fit to screen",
  actual: "Actual size (large rendition)",
  original: "Original",
};

function zoomLevels(photo) {
  const levels = ["fit"];
  if (photo.renditions.large || photo.renditions.medium) levels.push("actual");
  if (photo.original_displayable && photo.original_url) levels.push("original");
  return levels;
}

function largest(photo) {
  const r = photo.renditions;
  return r.large || r.medium || r.thumb || "";
}

function preload(photo) {
  if (!photo) return;
  const url = largest(photo);
  if (url) {
    const img = new Image();
    img.decoding = "async";
    img.src = url;
  }
}

if (dialog && scope) {
  const stage = document.getElementById("viewer-stage");
  // Made here, not in the page: an <img> without a source would be an empty image there.
  const img = document.createElement("img");
  img.className = "viewer__img";
  img.id = "viewer-img";
  img.alt = "";
  stage.append(img);
  const name = document.getElementById("viewer-name");
  const prevButton = document.getElementById("viewer-prev");
  const nextButton = document.getElementById("viewer-next");
  const zoomButton = document.getElementById("viewer-zoom");
  const closeButton = document.getElementById("viewer-close");
  const details = document.getElementById("viewer-details");

  const gallery = document.getElementById("gallery");
  const state = { photo: null, previous: null, next: null, zoom: "fit", request: 0, opener: null };

  function showZoom(level) {
    const photo = state.photo;
    state.zoom = level;
    dialog.dataset.zoom = level;
    // One file for fit and 1:1 (the large rendition, the one preloaded): a srcset would
    // scale the image's natural size by its density and 1:1 would no longer be 1:1.
    img.src = level === "original" ? photo.original_url : largest(photo);
    const levels = zoomLevels(photo);
    const following = levels[(levels.indexOf(level) + 1) % levels.length];
    zoomButton.hidden = levels.length < 2;
    // The visible word stays "Zoom" (part of the accessible name, which says what comes next).
    zoomButton.setAttribute("aria-label", `Zoom: ${ZOOM_LABEL[following].toLowerCase()}`);
    zoomButton.dataset.next = following;
  }

  function show(photo) {
    state.photo = photo;
    img.alt = photo.alt;
    name.textContent = photo.name;
    details.href = withQuery(photo.detail_url);
    showZoom("fit");
    stage.scrollTo(0, 0);
  }

  function showNeighbours() {
    // A disabled button loses focus to the page's body, out of the dialog: hand it over.
    const focused = document.activeElement;
    prevButton.disabled = !state.previous;
    nextButton.disabled = !state.next;
    if (focused?.disabled) (prevButton.disabled ? nextButton : prevButton).focus();
    if (document.activeElement?.disabled) closeButton.focus();
    preload(state.next);
    preload(state.previous);
  }

  async function load(id) {
    const request = ++state.request;
    try {
      const data = await requestJson(neighboursUrl(id));
      if (request !== state.request) return; // the user moved on meanwhile
      if (!state.photo || state.photo.id !== data.photo.id) show(data.photo);
      state.previous = data.previous;
      state.next = data.next;
      showNeighbours();
      dialog.dataset.loaded = data.photo.id;
    } catch (err) {
      if (request === state.request) announce(`Could not load the photo: ${err.message}`);
    }
  }

  function open(id, { push }) {
    if (!dialog.open) dialog.showModal();
    if (push) history.pushState({ viewer: id }, "", withQuery(detailUrl(id)));
    state.photo = null;
    load(id);
  }

  function move(direction) {
    const target = state[direction];
    if (!target || !dialog.open) return;
    state.previous = state.next = null;
    show(target);
    history.replaceState({ viewer: target.id }, "", withQuery(detailUrl(target.id)));
    load(target.id);
  }

  function closeNow() {
    state.request++;
    const shown = state.photo?.id;
    if (dialog.open) dialog.close();
    img.removeAttribute("src");
    delete dialog.dataset.loaded;
    state.photo = state.previous = state.next = null;
    // Back to the card of the photo last shown when it is on this page, else the opener.
    const card = shown && gallery?.querySelector(`[data-photo-id="${CSS.escape(shown)}"] a`);
    (card || state.opener)?.focus();
  }

  function close() {
    // Back out of the entry the viewer pushed; popstate then closes it.
    if (history.state?.viewer) history.back();
    else closeNow();
  }

  window.addEventListener("popstate", (event) => {
    if (event.state?.viewer) open(event.state.viewer, { push: false });
    else if (dialog.open) closeNow();
  });

  dialog.addEventListener("cancel", (event) => {
    event.preventDefault(); // Esc: close through history, like Back
    close();
  });
  closeButton.addEventListener("click", close);
  prevButton.addEventListener("click", () => move("previous"));
  nextButton.addEventListener("click", () => move("next"));
  zoomButton.addEventListener("click", () => showZoom(zoomButton.dataset.next || "fit"));
  img.addEventListener("click", () => {
    if (!zoomButton.hidden) showZoom(zoomButton.dataset.next || "fit");
  });
  document.addEventListener("keydown", (event) => {
    if (!dialog.open || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight") move("next");
    else if (event.key === "ArrowLeft") move("previous");
    else return;
    event.preventDefault();
  });

  // Swipe on touch screens: a mostly horizontal stroke of 50 px or more, in fit mode only
  // (zoomed in, a stroke pans the photo).
  let touch = null;
  stage.addEventListener(
    "touchstart",
    (event) => {
      touch = event.touches.length === 1 ? event.touches[0] : null;
      touch = touch && { x: touch.clientX, y: touch.clientY };
    },
    { passive: true },
  );
  stage.addEventListener("touchend", (event) => {
    if (!touch || state.zoom !== "fit") return;
    const end = event.changedTouches[0];
    const dx = end.clientX - touch.x;
    const dy = end.clientY - touch.y;
    touch = null;
    if (Math.abs(dx) >= 50 && Math.abs(dx) > Math.abs(dy) * 1.5) {
      move(dx < 0 ? "next" : "previous");
    }
  });

  dialog.dataset.ready = ""; // listening (tests wait for it, as for the upload page)
  if (gallery) {
    gallery.addEventListener("click", (event) => {
      const link = event.target.closest(".photo-card__link");
      if (!link || event.button !== 0) return;
      if (event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return;
      const card = link.closest(".photo-card");
      if (card.dataset.status !== "ready") return; // the photo page says what is going on
      event.preventDefault();
      state.opener = link;
      open(card.dataset.photoId, { push: true });
    });
  }

  const page = document.querySelector(".photo-page");
  if (page) {
    const viewButton = document.getElementById("photo-view");
    const openHere = () => {
      state.opener = viewButton;
      open(page.dataset.photoId, { push: true });
    };
    if (viewButton) {
      viewButton.hidden = false;
      viewButton.addEventListener("click", openHere);
      document.querySelector(".photo-page__img")?.addEventListener("click", openHere);
    }
    // The arrow keys walk the photo pages too, in the gallery's order and filter (the
    // server drew the links: PhotoDetailView's neighbour lookup).
    document.addEventListener("keydown", (event) => {
      if (dialog.open || event.defaultPrevented) return;
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (event.target.closest?.("input, textarea, select, [contenteditable], dialog")) return;
      const link =
        event.key === "ArrowRight"
          ? document.getElementById("photo-next")
          : event.key === "ArrowLeft"
            ? document.getElementById("photo-prev")
            : null;
      if (link) {
        event.preventDefault();
        window.location.assign(link.href);
      }
    });
  }
}
