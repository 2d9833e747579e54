// Sending one original with its ticket, and the three calls around it: complete (the file
// arrived), abandon (it will not), retry (a fresh ticket for the same photo). Shared by the
// upload page, the gallery's and the photo page's Retry of an interrupted upload.
import { ApiError, config, csrfToken, photoUrl, reasonFrom, requestJson } from "./api.js";

// Browsers often leave File.type empty for HEIC/HEIF/AVIF: the extension says what it is.
// The table is the server's own (jobs/formats.py), handed over in the page's config.
const TYPES_BY_EXTENSION = config.typesByExtension || {};

export function contentTypeOf(file) {
  if (file.type) return file.type;
  const extension = file.name.includes(".") ? file.name.split(".").pop().toLowerCase() : "";
  return TYPES_BY_EXTENSION[extension] || "application/octet-stream";
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

/** POSTs the ticket's fields and then the file; onProgress(loaded, total). */
export function sendFile(ticket, file, onProgress = () => {}) {
  const { url, fields } = ticket;
  const form = new FormData();
  for (const [name, value] of Object.entries(fields || {})) form.append(name, value);
  form.append("file", file); // last, as S3 requires
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
      if (event.lengthComputable) onProgress(event.loaded, event.total);
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
    xhr.addEventListener("error", () => reject(new ApiError(reasonFrom(0), { retryable: true })));
    xhr.addEventListener("abort", () =>
      reject(new ApiError("upload cancelled", { retryable: true })),
    );
    xhr.send(form);
  });
}

/** The file arrived: the server checks it and starts the jobs. Answers the photo. */
export function completeUpload(photoId) {
  return requestJson(`${photoUrl(photoId)}/complete`, { method: "POST" });
}

/** The transfer stopped: the photo shows "upload interrupted" with Retry and Remove.
 * `beacon`: the page is going away, and only a beacon outlives it. */
export function abandonUpload(photoId, { beacon = false } = {}) {
  const url = `${photoUrl(photoId)}/abandon`;
  if (beacon && navigator.sendBeacon) {
    const form = new FormData();
    form.append("csrfmiddlewaretoken", csrfToken());
    return navigator.sendBeacon(url, form);
  }
  return requestJson(url, { method: "POST" }).catch(() => null);
}

/** A fresh ticket for the same photo, the file picked again sent with it, then complete. */
export async function retryUpload(photoId, file, onProgress) {
  const ticket = await requestJson(`${photoUrl(photoId)}/retry`, {
    method: "POST",
    body: { filename: file.name, content_type: contentTypeOf(file), size: file.size },
  });
  try {
    await sendFile(ticket, file, onProgress);
  } catch (error) {
    abandonUpload(photoId);
    throw error;
  }
  return completeUpload(photoId);
}

export function removePhoto(photoId) {
  return requestJson(photoUrl(photoId), { method: "DELETE" });
}
