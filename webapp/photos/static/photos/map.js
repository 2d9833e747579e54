// The map page: the owner's geotagged photos as clustered markers; a marker opens its photo.
// Leaflet (window.L) and its marker-cluster plugin are classic scripts loaded before this
// module (photos/map.html). The points come from the API with the page's own filters.

const config = JSON.parse(document.getElementById("map-config").textContent);
const status = document.getElementById("map-status");
const L = window.L;

const map = L.map("photo-map", { worldCopyJump: true }).setView([20, 0], 2);
// Tiles are requested by the browser from the tile server (settings.PHOTOS_MAP_TILE_URL),
// with the attribution its licence requires.
L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.attribution }).addTo(map);
const clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 60 });
map.addLayer(clusters);

function icon(point) {
  if (!point.thumb) return new L.Icon.Default();
  // Built as nodes, not HTML text: titles and alt text are the owner's words.
  const img = document.createElement("img");
  img.src = point.thumb;
  img.alt = "";
  img.loading = "lazy";
  img.decoding = "async";
  return L.divIcon({ html: img, className: "map-marker", iconSize: [48, 48], iconAnchor: [24, 24] });
}

function marker(point) {
  const label = point.place ? `${point.title} (${point.place})` : point.title;
  const item = L.marker([point.lat, point.lon], { icon: icon(point), title: label, alt: point.alt });
  const open = () => window.location.assign(point.url);
  item.on("click", open);
  // Leaflet gives Enter on a focused marker to popups only; a link opens with it.
  item.on("keypress", (event) => {
    if (event.originalEvent.key === "Enter") open();
  });
  item.on("add", () => {
    // Leaflet makes a marker a keyboard-focusable button; it leads to a page, so say so.
    const element = item.getElement();
    if (element) {
      element.setAttribute("role", "link");
      element.setAttribute("aria-label", `Open ${label}`);
      element.dataset.photoId = point.id;
    }
  });
  return item;
}

function describe(data) {
  const count = data.points.length;
  if (!count) return "None of your photos here has a location. Photos taken with location on (most phones) appear on the map.";
  const photos = count === 1 ? "1 photo" : `${count.toLocaleString()} photos`;
  if (data.truncated) return `The newest ${photos} with a location. Choose a place to see others.`;
  return `${photos} with a location. Choose a marker to open the photo.`;
}

async function load() {
  let data;
  try {
    const response = await fetch(config.pointsUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    data = await response.json();
  } catch (error) {
    status.textContent = "Your photos could not be loaded onto the map. Reload the page to try again.";
    status.classList.add("notice");
    return;
  }
  clusters.addLayers(data.points.map(marker));
  if (data.points.length) {
    map.fitBounds(clusters.getBounds(), { padding: [48, 48], maxZoom: 13 });
  }
  status.textContent = describe(data);
  document.getElementById("photo-map").dataset.loaded = String(data.points.length);
}

load();
