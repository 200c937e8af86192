// Keeps the signed-PDF panel of a decision record up to date while a version is
// queued or rendering: it asks the server every two seconds and stops when done.
const POLL_MS = 2000;

function poll() {
  const panel = document.getElementById("documents");
  const url = panel && panel.dataset.pollUrl;
  if (!url) {
    return;
  }
  fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
    .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
    .then((html) => {
      const next = new DOMParser().parseFromString(html, "text/html").getElementById("documents");
      if (next) {
        panel.replaceWith(next);
      }
    })
    .catch(() => {})
    .finally(() => window.setTimeout(poll, POLL_MS));
}

window.setTimeout(poll, POLL_MS);
