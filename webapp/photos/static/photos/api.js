// What every page script shares: the API's URLs, CSRF, JSON requests, status polling and
// the screen-reader status line.

export const config = JSON.parse(document.getElementById("api-config")?.textContent || "{}");

export const SETTLED = new Set(["ready", "failed"]);

export function csrfToken() {
  // The logout form in the page header always carries a token; the cookie is the fallback.
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function photoUrl(id) {
  return config.photoUrl.replace("{id}", encodeURIComponent(id));
}

/** An error with a sentence a person can read, and whether trying again may help. */
export class ApiError extends Error {
  constructor(message, { status = 0, retryable = false } = {}) {
    super(message);
    this.status = status;
    this.retryable = retryable;
  }
}

export function reasonFrom(status, body) {
  if (body && typeof body === "object" && body.error) return String(body.error);
  if (status === 401 || status === 403) return "your session has ended: log in again";
  if (status === 413) return "file too large for the server";
  if (status >= 500) return `server error (${status}), try again`;
  if (status === 0) return "network error: check the connection";
  return `request refused (${status})`;
}

export async function requestJson(url, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(reasonFrom(0), { retryable: true });
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const status = response.status;
    throw new ApiError(reasonFrom(status, data), {
      status,
      retryable: status === 401 || status === 403 || status === 429 || status >= 500,
    });
  }
  return data;
}

export function fetchPhotos(ids) {
  const url = `${config.photosUrl}?ids=${ids.map(encodeURIComponent).join(",")}`;
  return requestJson(url).then((data) => data.photos || []);
}

const BATCH = 50;
const FIRST_DELAY = 1500;
const MAX_DELAY = 10000;
const GIVE_UP_AFTER = 15 * 60 * 1000;

/**
 * Polls GET /api/photos?ids=... for photos still uploading or processing and calls
 * onPhoto(photo) for every answer. Quick while things change, slower while nothing does,
 * and silent once every photo it knows of is ready or failed.
 */
export class PhotoWatcher {
  constructor(onPhoto) {
    this.onPhoto = onPhoto;
    this.pending = new Map(); // id -> last status seen
    this.timer = null;
    this.delay = FIRST_DELAY;
    this.startedAt = Date.now();
  }

  add(id, status = "processing") {
    this.pending.set(id, status);
    this.delay = FIRST_DELAY;
    this.startedAt = Date.now();
    this.schedule();
  }

  forget(id) {
    this.pending.delete(id);
  }

  schedule() {
    if (this.timer !== null || this.pending.size === 0) return;
    this.timer = setTimeout(() => this.tick(), this.delay);
  }

  async tick() {
    this.timer = null;
    const ids = [...this.pending.keys()];
    let changed = false;
    try {
      for (let i = 0; i < ids.length; i += BATCH) {
        const batch = ids.slice(i, i + BATCH);
        const photos = await fetchPhotos(batch);
        const answered = new Set();
        for (const photo of photos) {
          answered.add(photo.id);
          if (!this.pending.has(photo.id)) continue;
          if (this.pending.get(photo.id) !== photo.status) changed = true;
          this.pending.set(photo.id, photo.status);
          if (SETTLED.has(photo.status)) this.pending.delete(photo.id);
          this.onPhoto(photo);
        }
        // Deleted meanwhile (or never ours): nothing more will come for these.
        for (const id of batch) if (!answered.has(id)) this.pending.delete(id);
      }
    } catch {
      // A failed poll is retried with the usual backoff; the next one may well succeed.
    }
    this.delay = changed ? FIRST_DELAY : Math.min(this.delay * 1.5, MAX_DELAY);
    if (Date.now() - this.startedAt > GIVE_UP_AFTER) return;
    this.schedule();
  }
}

let announceTimer = null;
const announcements = [];

/** Says `message` through the page's aria-live region, batching bursts into one line. */
export function announce(message) {
  const region = document.getElementById("live-status");
  if (!region) return;
  announcements.push(message);
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    region.textContent = announcements.splice(0).join(". ");
  }, 400);
}

/** Sizes in the server's words (jobs/errors.py human_bytes): "80 MB", "1.5 KB", "512 bytes". */
export function humanBytes(n) {
  let value;
  let unit;
  if (n >= 1_000_000) [value, unit] = [n / 1_000_000, "MB"];
  else if (n >= 1_000) [value, unit] = [n / 1_000, "KB"];
  else return `${n} bytes`;
  const digits = value >= 10 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${unit}`;
}
