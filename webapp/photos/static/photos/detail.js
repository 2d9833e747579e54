// The photo page: reloads itself once a pending photo settles (the server draws the
// metadata), and deletes through the API after a confirmation dialog.
import { announce, config, PhotoWatcher, photoUrl, requestJson, SETTLED } from "./api.js";
import { retryUpload } from "./upload-transfer.js";

const page = document.querySelector(".photo-page");

const interrupted = document.querySelector("#photo-state[data-interrupted]");

if (page && !SETTLED.has(page.dataset.status) && !interrupted) {
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

// Title, caption and alt text: saved through the API and shown in place. Without the script
// the same form posts to the page, which saves and redraws.
const wordsForm = document.getElementById("words-form");

function showWords(photo) {
  const heading = document.getElementById("photo-title");
  heading.textContent = photo.name;
  document.title = `${photo.name} · Darkroom`;
  const filename = document.getElementById("photo-filename");
  filename.hidden = photo.name === photo.filename;
  const caption = document.getElementById("photo-caption");
  caption.textContent = photo.caption; // white-space: pre-line keeps its lines
  caption.hidden = !photo.caption;
  for (const img of document.querySelectorAll(".photo-page__img")) img.alt = photo.alt;
  for (const name of document.querySelectorAll(".photo-name")) name.textContent = photo.name;
  // What the server kept (trimmed, on one line) is what the fields show from now on.
  for (const field of ["title", "caption", "alt_text"]) {
    const input = wordsForm.elements[field];
    if (input) input.value = photo[field];
  }
}

if (page && wordsForm) {
  const status = wordsForm.querySelector(".words-form__status");
  const button = wordsForm.querySelector('button[type="submit"]');

  wordsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const field of ["title", "caption", "alt_text"]) {
      const input = wordsForm.elements[field];
      if (input) body[field] = input.value;
    }
    button.disabled = true;
    status.hidden = true;
    status.classList.remove("words-form__status--error");
    try {
      const photo = await requestJson(photoUrl(page.dataset.photoId), { method: "PATCH", body });
      showWords(photo);
      status.textContent = "Saved.";
    } catch (err) {
      status.textContent = `Not saved: ${err.message}`;
      status.classList.add("words-form__status--error");
    } finally {
      status.hidden = false;
      button.disabled = false;
    }
  });
}

// An interrupted upload: the file picked again goes to this same photo, then the page
// shows it processing (and updates by itself from there).
const retryInput = document.getElementById("retry-input");

if (page && retryInput) {
  const status = document.getElementById("retry-status");
  retryInput.addEventListener("change", async () => {
    const file = retryInput.files[0];
    retryInput.value = "";
    if (!file) return;
    retryInput.disabled = true;
    status.hidden = false;
    status.textContent = "Uploading… 0%";
    try {
      await retryUpload(page.dataset.photoId, file, (loaded, total) => {
        status.textContent = `Uploading… ${Math.floor((loaded / total) * 100)}%`;
      });
      announce("Uploaded; processing");
      window.location.reload();
    } catch (error) {
      status.textContent = `Retry failed: ${error.message}`;
      retryInput.disabled = false;
    }
  });
}
