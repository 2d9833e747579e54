// The upload page: a queue of files, a few sent at a time straight to storage with a ticket
// from the API (presigned-POST style), each with its own progress bar and live status until
// the side jobs have made it a photo, or said why they could not.
import {
  announce,
  ApiError,
  config,
  humanBytes,
  PhotoWatcher,
  photoUrl,
  requestJson,
} from "./api.js";
import { renditionImg } from "./photo-card.js";
import {
  abandonUpload,
  completeUpload,
  contentTypeOf,
  removePhoto,
  retryUpload,
  sendFile,
} from "./upload-transfer.js";

export { contentTypeOf };

const PARALLEL = 3;

const dropzone = document.getElementById("dropzone");
const input = document.getElementById("file-input");
const list = document.getElementById("upload-list");
const section = document.getElementById("uploads-section");
const summary = document.getElementById("uploads-summary");
const template = document.getElementById("upload-item");

const items = [];
const queue = [];
let active = 0;

const watcher = new PhotoWatcher((photo) => {
  const item = items.find((candidate) => candidate.photoId === photo.id);
  if (item) item.showPhoto(photo);
});

class Upload {
  constructor(file) {
    this.file = file;
    this.ticket = null;
    this.photoId = null;
    this.node = template.content.firstElementChild.cloneNode(true);
    this.name = this.node.querySelector(".upload__name");
    this.progress = this.node.querySelector(".upload__progress");
    this.status = this.node.querySelector(".upload__status");
    this.thumb = this.node.querySelector(".upload__thumb");
    this.retryButton = this.node.querySelector(".upload__retry");
    this.name.textContent = file.name;
    this.progress.setAttribute("aria-label", `Upload progress of ${file.name}`);
    this.retryButton.setAttribute("aria-label", `Retry ${file.name}`);
    this.retryButton.addEventListener("click", () => this.retry());
    this.setState("queued", `Waiting… (${humanBytes(file.size)})`);
  }

  setState(state, text) {
    this.state = state;
    this.node.dataset.state = state;
    this.status.textContent = text;
    this.progress.hidden = !["queued", "uploading"].includes(state);
    renderSummary();
  }

  setProgress(loaded, total) {
    const percent = total ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
    this.progress.value = percent;
    this.status.textContent =
      percent < 100 ? `Uploading… ${percent}%` : "Uploading… 100%, finishing";
  }

  fail(reason, { retryable = false, stage = "upload" } = {}) {
    this.retryButton.hidden = !retryable;
    this.setState("failed", `Failed: ${reason}`);
    const where = stage === "processing" ? "" : " to upload";
    announce(`${this.file.name} failed${where}: ${reason}`);
  }

  retry() {
    this.retryButton.hidden = true;
    this.progress.value = 0;
    this.setState("queued", "Waiting…");
    enqueue(this);
  }

  showPhoto(photo) {
    if (photo.status === "ready") {
      const img = renditionImg(photo, ["thumb"], "64px", "upload__img");
      if (img) {
        img.alt = "";
        img.loading = "eager";
        this.thumb.replaceChildren(img);
      }
      const link = document.createElement("a");
      link.href = photo.detail_url;
      link.textContent = this.file.name;
      this.name.replaceChildren(link);
      const dims = photo.metadata?.width ? ` · ${photo.metadata.width} × ${photo.metadata.height}` : "";
      const duplicate = photo.duplicate_of ? " · duplicate of an earlier upload" : "";
      this.setState("ready", `Ready${dims}${duplicate}`);
      announce(`${this.file.name} is ready`);
    } else if (photo.status === "failed") {
      this.fail(photo.error || "processing failed", { stage: "processing" });
    } else if (photo.status === "processing" && this.state !== "processing") {
      this.setState("processing", "Processing…");
    }
  }
}

function requestTicket(item) {
  return requestJson(config.uploadsUrl, {
    method: "POST",
    body: { filename: item.file.name, content_type: contentTypeOf(item.file), size: item.file.size },
  });
}

async function run(item) {
  if (config.maxBytes && item.file.size > config.maxBytes) {
    // A courtesy: the server would refuse the ticket with the same words.
    item.fail(`too large: ${humanBytes(item.file.size)}, limit ${humanBytes(config.maxBytes)}`);
    return;
  }
  try {
    if (!item.ticket) {
      item.setState("uploading", "Starting upload…");
      item.ticket = await requestTicket(item);
      item.photoId = item.ticket.photo_id;
    }
    item.setState("uploading", "Uploading… 0%");
    await sendFile(item.ticket, item.file, (loaded, total) => item.setProgress(loaded, total));
    item.progress.value = 100;
    // The server checks what arrived and starts the jobs (in S3 mode nothing else tells it).
    const photo = await completeUpload(item.photoId);
    item.setState("processing", "Processing…");
    watcher.add(item.photoId, "processing");
    item.showPhoto(photo);
  } catch (error) {
    const status = error instanceof ApiError ? error.status : 0;
    if (status === 403 && item.photoId) {
      // The ticket is no longer accepted (expired or refused): a retry asks for a new one,
      // and the photo row of the old ticket goes so no "uploading" ghost stays behind.
      const stale = item.photoId;
      item.ticket = null;
      item.photoId = null;
      requestJson(photoUrl(stale), { method: "DELETE" }).catch(() => {});
    } else if (item.photoId && item.state === "uploading") {
      // The transfer stopped: say so, so the gallery shows "upload interrupted" at once.
      abandonUpload(item.photoId);
    }
    item.fail(error.message || "upload failed", { retryable: Boolean(error.retryable) });
  }
}

function pump() {
  while (active < PARALLEL && queue.length) {
    const item = queue.shift();
    active += 1;
    run(item).finally(() => {
      active -= 1;
      pump();
    });
  }
}

function enqueue(item) {
  queue.push(item);
  pump();
}

function renderSummary() {
  const counts = {};
  for (const item of items) counts[item.state] = (counts[item.state] || 0) + 1;
  const parts = [];
  if (counts.ready) parts.push(`${counts.ready} ready`);
  if (counts.processing) parts.push(`${counts.processing} processing`);
  if (counts.uploading) parts.push(`${counts.uploading} uploading`);
  if (counts.queued) parts.push(`${counts.queued} waiting`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (counts.interrupted) parts.push(`${counts.interrupted} interrupted`);
  summary.textContent = `${items.length} ${items.length === 1 ? "file" : "files"}: ${parts.join(", ")}`;
}

function addFiles(files) {
  const added = [...files];
  if (!added.length) return;
  section.hidden = false;
  for (const file of added) {
    const item = new Upload(file);
    items.push(item);
    list.append(item.node);
    enqueue(item);
  }
  announce(`${added.length} ${added.length === 1 ? "file" : "files"} added to the upload queue`);
}

input.addEventListener("change", () => {
  addFiles(input.files);
  input.value = ""; // the same file can be chosen again
});

// Files dropped anywhere on the page are taken, so a near miss does not navigate away.
let dragDepth = 0;
const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
window.addEventListener("dragenter", (event) => {
  if (!hasFiles(event)) return;
  dragDepth += 1;
  dropzone.classList.add("is-dragging");
});
window.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) dropzone.classList.remove("is-dragging");
});
window.addEventListener("dragover", (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "copy";
});
window.addEventListener("drop", (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dragDepth = 0;
  dropzone.classList.remove("is-dragging");
  addFiles(event.dataTransfer.files);
});

// --- Leaving while files are in flight -----------------------------------------------

const inFlight = () =>
  items.filter((item) => item.state === "uploading" || item.state === "queued").length;
let leaveConfirmed = false;

window.addEventListener("beforeunload", (event) => {
  if (leaveConfirmed || !inFlight()) return;
  event.preventDefault();
  event.returnValue = ""; // older browsers need it to ask
});

// The page's own link asks in words (a beforeunload prompt cannot say how many).
const toGallery = document.getElementById("to-gallery");
toGallery?.addEventListener("click", (event) => {
  const count = inFlight();
  if (!count) return;
  const files = `${count} ${count === 1 ? "file is" : "files are"}`;
  if (window.confirm(`${files} still uploading. Leave and stop ${count === 1 ? "it" : "them"}?`)) {
    leaveConfirmed = true;
  } else {
    event.preventDefault();
  }
});

// Gone for good (or into the back/forward cache, which keeps no XHR): the transfers under
// way will not finish, so their photos show "upload interrupted" rather than spin.
window.addEventListener("pagehide", () => {
  for (const item of items) {
    if (item.state === "uploading" && item.photoId) abandonUpload(item.photoId, { beacon: true });
  }
});

// --- This session's photos after a reload ------------------------------------------------

class RestoredUpload {
  constructor(node) {
    this.node = node;
    this.photoId = node.dataset.photoId;
    this.state = node.dataset.state;
    this.filename = node.dataset.filename;
    this.status = node.querySelector(".upload__status");
    this.name = node.querySelector(".upload__name");
    this.thumb = node.querySelector(".upload__thumb");
    this.actions = node.querySelector(".upload__interrupted");
    this.fileInput = node.querySelector(".upload__repick");
    this.fileInput?.addEventListener("change", () => {
      const file = this.fileInput.files[0];
      this.fileInput.value = "";
      if (file) this.retry(file);
    });
    node.querySelector(".upload__remove")?.addEventListener("click", () => this.remove());
  }

  setState(state, text) {
    this.state = state;
    this.node.dataset.state = state;
    this.status.textContent = text;
    if (this.actions) this.actions.hidden = state !== "interrupted";
    renderSummary();
  }

  async retry(file) {
    this.setState("uploading", "Uploading… 0%");
    try {
      const photo = await retryUpload(this.photoId, file, (loaded, total) => {
        this.status.textContent = `Uploading… ${Math.floor((loaded / total) * 100)}%`;
      });
      this.showPhoto(photo);
      watcher.add(this.photoId, photo.status);
    } catch (error) {
      this.setState("interrupted", `Upload interrupted: ${error.message}`);
    }
  }

  async remove() {
    try {
      await removePhoto(this.photoId);
      items.splice(items.indexOf(this), 1);
      this.node.remove();
      renderSummary();
      announce(`${this.filename} removed`);
    } catch (error) {
      this.status.textContent = `Could not remove: ${error.message}`;
    }
  }

  showPhoto(photo) {
    if (photo.status === "uploading" && photo.interrupted) {
      if (this.state !== "interrupted") this.setState("interrupted", "Upload interrupted");
      watcher.forget(this.photoId);
      return;
    }
    if (photo.status === "ready") {
      const img = renditionImg(photo, ["thumb"], "64px", "upload__img");
      if (img) {
        img.alt = "";
        this.thumb.replaceChildren(img);
      }
      const link = document.createElement("a");
      link.href = photo.detail_url;
      link.textContent = this.filename;
      this.name.replaceChildren(link);
      this.setState("ready", "Ready");
    } else if (photo.status === "failed") {
      this.setState("failed", `Failed: ${photo.error || "processing failed"}`);
    } else if (photo.status !== this.state) {
      this.setState(photo.status, photo.status === "processing" ? "Processing…" : "Uploading…");
    }
  }
}

for (const node of list.querySelectorAll(".upload[data-photo-id]")) {
  const item = new RestoredUpload(node);
  items.push(item);
  if (item.state !== "interrupted") watcher.add(item.photoId, item.state);
}
if (items.length) renderSummary();

// Files picked while this script was still loading (or restored by the browser on "back").
if (input.files.length) {
  addFiles(input.files);
  input.value = "";
}
// Tests (and anything else automating the page) wait for this before choosing files.
dropzone.dataset.ready = "true";
