// Warns a staff-side person before the portal signs them out for not using it (GOV.UK's
// timeout warning pattern): a dialog SESSION_IDLE_WARNING_MINUTES before the end, with
// "Stay signed in" (which uses the portal, so the time starts again) and "Sign out".
// Without script the portal still signs them out, and the next page says why.
const dialog = document.getElementById("idle-warning");

if (dialog && typeof dialog.showModal === "function") {
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const warning = Number(dialog.dataset.warningSeconds) * 1000;
  const stay = dialog.querySelector("[data-stay-signed-in]");
  let timers = [];

  const schedule = () => {
    timers.forEach(clearTimeout);
    timers = [
      setTimeout(() => dialog.showModal(), Math.max(0, idle - warning)),
      // A few seconds after the server's own end, so that it has ended there too.
      setTimeout(() => window.location.assign(dialog.dataset.signedOutUrl), idle + 5000),
    ];
  };

  stay.addEventListener("click", async () => {
    const response = await fetch(dialog.dataset.keepAliveUrl, {
      method: "POST",
      // The token of the dialog's own sign-out form.
      headers: { "X-CSRFToken": dialog.querySelector("[name=csrfmiddlewaretoken]").value },
      credentials: "same-origin",
    });
    if (response.ok) {
      dialog.close();
      schedule();
    } else {
      window.location.assign(dialog.dataset.signedOutUrl);
    }
  });
  schedule();
}
