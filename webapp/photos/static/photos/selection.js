// Selecting photos in the gallery: each card's checkbox (click, Shift-click for a range,
// Space on a focused card), "select all on this page", and a bar to delete or download
// the selection.
//
// Download builds the zip here, in the browser, with client-zip (vendor/client-zip): the
// originals come straight from their owner-checked URLs (presigned S3 GETs on AWS), so no
// server function holds the archive — a Lambda answer is capped at 6 MB and API Gateway
// gives up after 29 s, far below a few hundred photos of a phone camera.
import { announce, config, fetchPhotos, requestJson } from "./api.js";

const gallery = document.getElementById("gallery");
const bar = document.getElementById("selection-bar");
const MAX_IDS_PER_REQUEST = 100; // api.MAX_IDS

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function listNames(names) {
  const shown = names.slice(0, 5);
  const more = names.length - shown.length;
  if (more > 0) return `${shown.join(", ")} and ${more} more`;
  if (shown.length < 2) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

/** "IMG_1.jpg", "IMG_1 (2).jpg": names inside one zip must differ. */
function uniqueName(name, taken) {
  let candidate = name || "photo";
  const dot = candidate.lastIndexOf(".");
  const stem = dot > 0 ? candidate.slice(0, dot) : candidate;
  const ext = dot > 0 ? candidate.slice(dot) : "";
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

if (gallery && bar) {
  const count = document.getElementById("selection-count");
  const message = document.getElementById("gallery-message");
  const dialog = document.getElementById("bulk-delete-dialog");
  const dialogText = document.getElementById("bulk-delete-text");
  const dialogError = dialog.querySelector(".confirm__error");
  const confirmButton = dialog.querySelector('button[value="delete"]');
  const downloadButton = document.getElementById("selection-download");
  let anchor = null; // the checkbox a Shift-click extends from

  const boxes = () => [...gallery.querySelectorAll(".photo-card__check")];
  const selectedIds = () => boxes().filter((b) => b.checked).map((b) => b.value);

  function say(text, kind = "success") {
    message.textContent = text;
    message.className = `message message--${kind}`;
    message.hidden = false;
    announce(text);
  }

  function update() {
    let n = 0;
    for (const box of boxes()) {
      box.closest(".photo-card").classList.toggle("is-selected", box.checked);
      if (box.checked) n++;
    }
    count.textContent = `${n} selected`;
    bar.hidden = n === 0;
    document.body.classList.toggle("has-selection", n > 0);
  }

  function toggle(box, shiftKey) {
    const all = boxes();
    const here = all.indexOf(box);
    const from = all.indexOf(anchor);
    if (shiftKey && from !== -1) {
      const [start, end] = from < here ? [from, here] : [here, from];
      for (const other of all.slice(start, end + 1)) other.checked = box.checked;
    }
    anchor = box;
    update();
  }

  // `click` fires after the checkbox has changed, with the Shift state of the click.
  gallery.addEventListener("click", (event) => {
    const box = event.target.closest(".photo-card__check");
    if (box) toggle(box, event.shiftKey);
  });
  gallery.addEventListener("keydown", (event) => {
    // Space on a focused card selects it (a link would otherwise scroll the page).
    if (event.key !== " " || !event.target.matches(".photo-card__link")) return;
    event.preventDefault();
    const box = event.target.closest(".photo-card").querySelector(".photo-card__check");
    box.checked = !box.checked;
    toggle(box, event.shiftKey);
  });

  document.getElementById("select-page")?.addEventListener("click", () => {
    for (const box of boxes()) box.checked = true;
    update();
    announce(`${plural(boxes().length, "photo")} selected`);
  });
  document.getElementById("selection-clear").addEventListener("click", () => {
    for (const box of boxes()) box.checked = false;
    anchor = null;
    update();
  });

  // --- Delete: one confirmation with the count, then say what went --------------------
  document.getElementById("selection-delete").addEventListener("click", () => {
    const n = selectedIds().length;
    dialog.querySelector("h2").textContent = `Delete ${plural(n, "photo")}?`;
    dialogText.textContent = `${n === 1 ? "The photo" : `All ${n} photos`} and all their sizes will be deleted. This cannot be undone.`;
    dialogError.hidden = true;
    confirmButton.textContent = `Delete ${plural(n, "photo")}`;
    dialog.showModal();
  });

  confirmButton.addEventListener("click", async (event) => {
    event.preventDefault(); // keep the dialog open until the server has answered
    const buttons = dialog.querySelectorAll("button");
    for (const button of buttons) button.disabled = true;
    try {
      const result = await requestJson(config.deleteUrl, {
        method: "POST",
        body: { ids: selectedIds() },
      });
      for (const { id } of result.deleted) {
        gallery.querySelector(`[data-photo-id="${CSS.escape(id)}"]`)?.remove();
      }
      // A day of the timeline with no photo left goes too.
      for (const list of gallery.querySelectorAll(".timeline__day")) {
        if (!list.querySelector(".photo-card")) list.remove();
      }
      dialog.close();
      const names = result.deleted.map((p) => p.name);
      say(
        result.count
          ? `Deleted ${plural(result.count, "photo")}: ${listNames(names)}.`
          : "Nothing was deleted: those photos were already gone.",
      );
      anchor = null;
      update();
    } catch (err) {
      dialogError.textContent = `Could not delete: ${err.message}`;
      dialogError.hidden = false;
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });

  // --- Download: a zip of the originals, built in this tab ----------------------------
  downloadButton.addEventListener("click", async () => {
    const ids = selectedIds();
    downloadButton.disabled = true;
    say(`Preparing ${plural(ids.length, "photo")}…`, "info");
    try {
      const photos = [];
      for (let i = 0; i < ids.length; i += MAX_IDS_PER_REQUEST) {
        photos.push(...(await fetchPhotos(ids.slice(i, i + MAX_IDS_PER_REQUEST))));
      }
      const files = photos.filter((p) => p.original_url);
      const taken = new Set();
      const names = files.map((p) => uniqueName(p.filename, taken));
      const { downloadZip } = await import("./vendor/client-zip/index.js");
      // Fetched one at a time as the zip is written, never all at once in memory.
      async function* entries() {
        for (const [i, photo] of files.entries()) {
          const response = await fetch(photo.original_url, { credentials: "same-origin" });
          if (!response.ok) throw new Error(`${photo.filename}: ${response.status}`);
          yield { name: names[i], input: response };
        }
      }
      const blob = await downloadZip(entries()).blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `darkroom-${files.length}-photos.zip`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      const skipped = ids.length - files.length;
      say(
        `Downloaded ${plural(files.length, "photo")} as a zip` +
          (skipped ? ` (${plural(skipped, "photo")} still uploading left out).` : "."),
      );
    } catch (err) {
      say(`Could not download: ${err.message}`, "error");
    } finally {
      downloadButton.disabled = false;
    }
  });

  update();
  bar.dataset.ready = ""; // listening (tests wait for it)
}
