// The search form sends only the filters in use, so its URL reads like the filter
// ("?q=harbour&gps=yes", not seven empty parameters) and the links built from it match.
const form = document.querySelector("form.filters");

if (form) {
  form.addEventListener("submit", () => {
    for (const field of form.elements) {
      if (field.name && !field.value) field.disabled = true;
    }
  });
  // Back to a page kept in the browser's cache: the fields must work again.
  window.addEventListener("pageshow", () => {
    for (const field of form.elements) field.disabled = false;
  });
}
