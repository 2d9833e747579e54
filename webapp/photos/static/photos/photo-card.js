// A gallery card drawn from the API's photo JSON; the same markup as
// templatetags/photo_cards.py, so a card can be swapped in when its photo settles.

export const THUMB_SIZES = "(min-width: 1240px) 236px, (min-width: 720px) 30vw, 47vw";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** <img> with srcset over the named renditions (smallest first), or null if none exist. */
export function renditionImg(photo, names, sizes, className) {
  const urls = photo.renditions || {};
  const dims = photo.renditions_size || {};
  const available = names.filter((name) => urls[name] && dims[name]);
  if (!available.length) return null;
  const [width, height] = dims[available[available.length - 1]];
  const img = el("img", `photo-img ${className}`);
  img.src = urls[available[0]];
  img.srcset = available.map((name) => `${urls[name]} ${dims[name][0]}w`).join(", ");
  img.sizes = sizes;
  img.width = width;
  img.height = height;
  img.alt = photo.alt; // decided by the server (describe.py), like the name
  img.loading = "lazy";
  img.decoding = "async";
  if (photo.placeholder_data_url) {
    img.style.backgroundImage = `url("${photo.placeholder_data_url}")`;
  }
  return img;
}

const DATE = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

const STATUS_LABEL = { uploading: "Uploading", processing: "Processing", ready: "Ready", failed: "Failed" };

export function cardFor(photo) {
  const li = el("li", `photo-card photo-card--${photo.status}`);
  li.dataset.photoId = photo.id;
  li.dataset.status = photo.status;
  const link = el("a", "photo-card__link");
  link.href = photo.detail_url;
  const frame = el("span", "photo-card__frame");
  const img =
    photo.status === "ready"
      ? renditionImg(photo, ["thumb", "medium"], THUMB_SIZES, "photo-card__img")
      : null;
  if (img) {
    frame.append(img);
  } else if (photo.status === "failed") {
    frame.append(el("span", "photo-card__state photo-card__state--failed", "Failed"));
  } else if (photo.status === "uploading" && photo.interrupted) {
    frame.append(el("span", "photo-card__state photo-card__state--interrupted", "Upload interrupted"));
  } else {
    const state = el("span", "photo-card__state");
    const spinner = el("span", "spinner");
    spinner.setAttribute("aria-hidden", "true");
    state.append(spinner, `${STATUS_LABEL[photo.status] || photo.status}…`);
    frame.append(state);
  }
  link.append(frame, el("span", "photo-card__name", photo.name));
  if (photo.taken_at) {
    // The wall clock as stored (UTC on the server's side), printed as the template does.
    const taken = new Date(photo.taken_at);
    const time = el("time", "photo-card__date", DATE.format(taken));
    time.dateTime = photo.taken_at.slice(0, 10);
    link.append(time);
  } else {
    link.append(el("span", "photo-card__date photo-card__date--unknown", "No date taken"));
  }
  // The selection's checkbox (selection.js), outside the link that opens the photo.
  const select = el("label", "photo-card__select");
  const box = el("input", "photo-card__check");
  box.type = "checkbox";
  box.value = photo.id;
  select.append(box, el("span", "visually-hidden", `Select ${photo.name}`));
  li.append(link, select);
  if (photo.status === "failed") {
    li.append(el("p", "photo-card__error", photo.error || "Processing failed"));
  } else if (photo.status === "uploading" && photo.interrupted) {
    li.append(interruptedActions(photo));
  } else if (photo.duplicate_of) {
    li.append(el("p", "photo-card__note", "Duplicate"));
  }
  return li;
}

/** Retry (pick the file again) and Remove, as in photo_cards.py; gallery.js handles them. */
function interruptedActions(photo) {
  const actions = el("div", "photo-card__actions");
  actions.dataset.interrupted = "";
  const label = el("label", "button button--small", "Retry");
  const input = el("input", "visually-hidden photo-card__retry");
  input.type = "file";
  input.accept = "image/*,.heic,.heif,.avif";
  input.setAttribute("aria-label", `Retry ${photo.name}: pick the file again`);
  label.append(input);
  const remove = el("button", "button button--small photo-card__remove", "Remove");
  remove.type = "button";
  remove.setAttribute("aria-label", `Remove ${photo.name}`);
  actions.append(label, remove);
  return actions;
}
