// Albums through the JSON API, for any page script (the gallery's selection bar calls
// addToAlbum / createAlbum with the selected photo ids). Every call rejects with an
// ApiError whose message is a sentence a person can read.

import { requestJson } from "./api.js";

const API = "/api/albums";

function root() {
  // Behind API Gateway the site lives under a stage ("/web/"): the page's config knows it.
  const config = JSON.parse(document.getElementById("api-config")?.textContent || "{}");
  return config.albumsUrl || API;
}

/** [{id, title, order, cover, photo_count, url, ...}] newest first. */
export async function listAlbums() {
  const data = await requestJson(root());
  return data.albums || [];
}

/** A new album, with `ids` (photo ids) in it when given. */
export function createAlbum(title, ids = []) {
  return requestJson(root(), { method: "POST", body: { title, ids } });
}

/** Adds the photos (at the end, in the order given); resolves to {added, album}. */
export function addToAlbum(albumId, ids) {
  return requestJson(`${root()}/${encodeURIComponent(albumId)}/photos`, {
    method: "POST",
    body: { ids },
  });
}

/** Takes the photos out of the album (they are not deleted); resolves to {removed, album}. */
export function removeFromAlbum(albumId, ids) {
  return requestJson(`${root()}/${encodeURIComponent(albumId)}/photos`, {
    method: "DELETE",
    body: { ids },
  });
}

/** Sets the owner's order: every photo id of the album, first to last. */
export function reorderAlbum(albumId, ids) {
  return requestJson(`${root()}/${encodeURIComponent(albumId)}/order`, {
    method: "PUT",
    body: { ids },
  });
}
