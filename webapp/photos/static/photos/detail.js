// The photo page: reloads itself once a pending photo settles (the server draws the
// metadata), and deletes through the API after a confirmation dialog.
import { announce, config, PhotoWatcher, photoUrl, requestJson, SETTLED } from "./api.js";

const page = document.querySelector(".photo-page");

if (page && !SETTLED.has(page.dataset.status)) {
  const watcher = new PhotoWatcher((photo) => {
    if (SETTLED.has(photo.status)) {
      announce(photo.status === "ready" ? "The photo is ready" : "The photo failed");
      window.location.reload();
    }
  });
  watcher.add(page.dataset.photoId, page.dataset.status);
}

const form = document.getElementById("delete-form");
const dialog = document.getElementById("delete-dialog");

if (page && form && dialog && typeof dialog.showModal === "function") {
  const error = dialog.querySelector(".confirm__error");
  const confirmButton = dialog.querySelector('button[value="delete"]');

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.hidden = true;
    dialog.showModal();
  });

  confirmButton.addEventListener("click", async (event) => {
    event.preventDefault(); // keep the dialog open until the server has answered
    const buttons = dialog.querySelectorAll("button");
    for (const button of buttons) button.disabled = true;
    confirmButton.textContent = "Deleting…";
    try {
      await requestJson(photoUrl(page.dataset.photoId), { method: "DELETE" });
      announce("Photo deleted");
      window.location.assign(config.galleryUrl);
    } catch (err) {
      error.textContent = `Could not delete: ${err.message}`;
      error.hidden = false;
      for (const button of buttons) button.disabled = false;
      confirmButton.textContent = "Delete";
    }
  });
}
