// Runs GOV.UK Frontend's components. Loaded as a module, so it runs after the page
// is parsed and only in browsers that GOV.UK Frontend supports.
import { initAll } from "../vendor/govuk-frontend-5.9.0/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
