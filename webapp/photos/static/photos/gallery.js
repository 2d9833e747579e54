// The gallery redraws the cards of photos still uploading or processing once they settle.
import { announce, config, PhotoWatcher, requestJson, SETTLED } from "./api.js";
import { cardFor } from "./photo-card.js";
import { removePhoto, retryUpload } from "./upload-transfer.js";

const gallery = document.getElementById("gallery");

if (gallery) {
  const watcher = new PhotoWatcher((photo) => {
    const card = gallery.querySelector(`[data-photo-id="${CSS.escape(photo.id)}"]`);
    if (!card) return;
    const nowInterrupted = photo.interrupted && !card.querySelector("[data-interrupted]");
    if (card.dataset.status === photo.status && !nowInterrupted) return;
    if (photo.interrupted) watcher.forget(photo.id); // nothing changes until a Retry
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
    if (SETTLED.has(card.dataset.status) || card.querySelector("[data-interrupted]")) continue;
    watcher.add(card.dataset.photoId, card.dataset.status);
  }

  // An interrupted upload: Retry sends the file picked again to the same photo; Remove
  // deletes it. Delegated, so cards redrawn by cardFor() work the same.
  gallery.addEventListener("change", async (event) => {
    const input = event.target.closest(".photo-card__retry");
    const file = input?.files[0];
    if (!file) return;
    const card = input.closest("[data-photo-id]");
    const state = card.querySelector(".photo-card__state");
    for (const control of card.querySelectorAll("input, button")) control.disabled = true;
    try {
      const photo = await retryUpload(card.dataset.photoId, file, (loaded, total) => {
        if (state) state.textContent = `Uploading… ${Math.floor((loaded / total) * 100)}%`;
      });
      card.replaceWith(cardFor(photo));
      watcher.add(photo.id, photo.status);
      announce(`${file.name} uploaded`);
    } catch (error) {
      if (state) state.textContent = "Upload interrupted";
      for (const control of card.querySelectorAll("input, button")) control.disabled = false;
      announce(`Retry failed: ${error.message}`);
      window.alert(`Retry failed: ${error.message}`);
    }
  });

  gallery.addEventListener("click", async (event) => {
    const button = event.target.closest(".photo-card__remove");
    if (!button) return;
    const card = button.closest("[data-photo-id]");
    const name = card.querySelector(".photo-card__name")?.textContent || "this photo";
    if (!window.confirm(`Remove “${name}”? Its upload never finished.`)) return;
    button.disabled = true;
    try {
      await removePhoto(card.dataset.photoId);
      watcher.forget(card.dataset.photoId);
      card.remove();
      announce(`${name} removed`);
    } catch (error) {
      button.disabled = false;
      window.alert(`Could not remove: ${error.message}`);
    }
  });
}

// Every failed photo at once, after saying how many.
const removeFailed = document.getElementById("remove-failed");
removeFailed?.addEventListener("click", async () => {
  const count = Number(removeFailed.dataset.count);
  const what = `${count} failed ${count === 1 ? "photo" : "photos"}`;
  if (!window.confirm(`Remove ${what}? They and their files will be deleted. This cannot be undone.`)) {
    return;
  }
  removeFailed.disabled = true;
  try {
    const { removed } = await requestJson(`${config.photosUrl}/failed`, { method: "DELETE" });
    announce(`${removed} failed ${removed === 1 ? "photo" : "photos"} removed`);
    window.location.reload();
  } catch (error) {
    removeFailed.disabled = false;
    window.alert(`Could not remove them: ${error.message}`);
  }
});
