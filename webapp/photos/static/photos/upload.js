// The upload page: a queue of files, a few sent at a time straight to storage with a ticket
// from the API (presigned-POST style), each with its own progress bar and live status until
// the side jobs have made it a photo, or said why they could not.
import {
  announce,
  ApiError,
  config,
  csrfToken,
  humanBytes,
  PhotoWatcher,
  photoUrl,
  reasonFrom,
  requestJson,
} from "./api.js";
import { renditionImg } from "./photo-card.js";

const PARALLEL = 3;

// Browsers often leave File.type empty for HEIC/HEIF/AVIF: the extension says what it is.
// The table is the server's own (jobs/formats.py), handed over in the page's config.
const TYPES_BY_EXTENSION = config.typesByExtension || {};

export function contentTypeOf(file) {
  if (file.type) return file.type;
  const extension = file.name.includes(".") ? file.name.split(".").pop().toLowerCase() : "";
  return TYPES_BY_EXTENSION[extension] || "application/octet-stream";
}

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

function reasonFromUploadResponse(xhr) {
  const text = xhr.responseText || "";
  try {
    return reasonFrom(xhr.status, JSON.parse(text));
  } catch {
    // S3 answers a refused POST in XML: <Error><Code>..</Code><Message>..</Message></Error>
    const message = text.match(/<Message>([^<]*)<\/Message>/);
    return message ? message[1] : reasonFrom(xhr.status);
  }
}

function send(item) {
  const { url, fields } = item.ticket;
  const form = new FormData();
  for (const [name, value] of Object.entries(fields || {})) form.append(name, value);
  form.append("file", item.file); // last, as S3 requires
  return new Promise((resolve, reject) => {
    // fetch() cannot report upload progress; XMLHttpRequest can.
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    if (new URL(url, window.location.href).origin === window.location.origin) {
      // Our own upload endpoint is CSRF-protected; a presigned S3 POST must not get the header.
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.withCredentials = true;
    }
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) item.setProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      const status = xhr.status;
      reject(
        new ApiError(reasonFromUploadResponse(xhr), {
          status,
          retryable: status === 403 || status === 408 || status === 429 || status >= 500,
        }),
      );
    });
    xhr.addEventListener("error", () =>
      reject(new ApiError(reasonFrom(0), { retryable: true })),
    );
    xhr.addEventListener("abort", () => reject(new ApiError("upload cancelled", { retryable: true })));
    xhr.send(form);
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
    await send(item);
    item.progress.value = 100;
    item.setState("processing", "Processing…");
    watcher.add(item.photoId, "processing");
  } catch (error) {
    const status = error instanceof ApiError ? error.status : 0;
    if (status === 403 && item.photoId) {
      // The ticket is no longer accepted (expired or refused): a retry asks for a new one,
      // and the photo row of the old ticket goes so no "uploading" ghost stays behind.
      const stale = item.photoId;
      item.ticket = null;
      item.photoId = null;
      requestJson(photoUrl(stale), { method: "DELETE" }).catch(() => {});
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

// Files picked while this script was still loading (or restored by the browser on "back").
if (input.files.length) {
  addFiles(input.files);
  input.value = "";
}
// Tests (and anything else automating the page) wait for this before choosing files.
dropzone.dataset.ready = "true";
