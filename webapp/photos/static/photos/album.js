// The album page: drag a photo to its place. The Earlier/Later buttons are plain forms and
// work without this script (and from the keyboard); this only adds the mouse's way, saved
// through PUT /api/albums/<id>/order.

import { announce } from "./api.js";
import { reorderAlbum } from "./albums.js";

const list = document.getElementById("album-photos");
const albumId = document.querySelector(".album-page")?.dataset.albumId;
let dragged = null;

function ids() {
  return [...list.querySelectorAll(".album-photo")].map((item) => item.dataset.photoId);
}

function refreshButtons() {
  const items = [...list.querySelectorAll(".album-photo")];
  items.forEach((item, index) => {
    item.querySelector('button[value="earlier"]').disabled = index === 0;
    item.querySelector('button[value="later"]').disabled = index === items.length - 1;
  });
}

if (list && albumId) {
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest(".album-photo");
    if (!dragged) return;
    dragged.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.photoId);
  });
  list.addEventListener("dragover", (event) => {
    const target = event.target.closest(".album-photo");
    if (!dragged || !target || target === dragged) return;
    event.preventDefault();
    for (const item of list.querySelectorAll(".is-drop-target")) item.classList.remove("is-drop-target");
    target.classList.add("is-drop-target");
  });
  list.addEventListener("dragend", () => {
    dragged?.classList.remove("is-dragging");
    for (const item of list.querySelectorAll(".is-drop-target")) item.classList.remove("is-drop-target");
    dragged = null;
  });
  list.addEventListener("drop", async (event) => {
    const target = event.target.closest(".album-photo");
    if (!dragged || !target || target === dragged) return;
    event.preventDefault();
    const before = ids();
    const items = [...list.children];
    const after = items.indexOf(target) > items.indexOf(dragged);
    target.insertAdjacentElement(after ? "afterend" : "beforebegin", dragged);
    refreshButtons();
    try {
      await reorderAlbum(albumId, ids());
      list.dataset.saved = "true";
      announce("Order saved");
    } catch (error) {
      // Put the photos back where the server still has them.
      const byId = new Map(items.map((item) => [item.dataset.photoId, item]));
      for (const id of before) list.append(byId.get(id));
      refreshButtons();
      announce(`Order not saved: ${error.message}`);
    }
  });
}

// After an Earlier/Later form posts, the page comes back at #move-<photo>-<direction>: put
// the keyboard's focus back on the moved photo's button (or, at either end of the album,
// where that one is disabled, on its other one) so pressing Enter again moves it on.
const moved = /^#move-([0-9a-f-]+)-(earlier|later)$/.exec(window.location.hash);
if (moved) {
  const [, photoId, direction] = moved;
  const other = direction === "earlier" ? "later" : "earlier";
  const button = [`move-${photoId}-${direction}`, `move-${photoId}-${other}`]
    .map((id) => document.getElementById(id))
    .find((candidate) => candidate && !candidate.disabled);
  // After "load": the browser's own scroll to the fragment, which comes later than this
  // module runs, would otherwise take the focus away again.
  window.addEventListener("load", () => button?.focus({ preventScroll: false }));
}
