// The gallery redraws the cards of photos still uploading or processing once they settle.
import { announce, PhotoWatcher, SETTLED } from "./api.js";
import { cardFor } from "./photo-card.js";

const gallery = document.getElementById("gallery");

if (gallery) {
  const watcher = new PhotoWatcher((photo) => {
    const card = gallery.querySelector(`[data-photo-id="${CSS.escape(photo.id)}"]`);
    if (!card || card.dataset.status === photo.status) return;
    const fresh = cardFor(photo);
    // Keep what the server-drawn card had: the gallery's query on its link, its selection.
    if (gallery.dataset.query) fresh.querySelector("a").href += `?${gallery.dataset.query}`;
    fresh.querySelector(".photo-card__check").checked = !!card.querySelector(".photo-card__check")?.checked;
    card.replaceWith(fresh);
    const name = photo.title || photo.filename;
    if (photo.status === "ready") announce(`${name} is ready`);
    else if (photo.status === "failed") announce(`${name} failed: ${photo.error || "processing failed"}`);
  });
  for (const card of gallery.querySelectorAll("[data-photo-id]")) {
    if (!SETTLED.has(card.dataset.status)) watcher.add(card.dataset.photoId, card.dataset.status);
  }
}
