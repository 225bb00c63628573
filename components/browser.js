// Small behaviours in the browser that need no round trip to the server.

// The URL is the state: when Back or Forward changes it, show what it says.
window.addEventListener("popstate", () => location.reload());

// The page's language, for screen readers.
document.documentElement.lang ||= "en";

// Arrow keys move through the rows of a list marked `fintrack-rows`; Enter opens the row.
// From the search box, the down arrow enters the list.
(() => {
  const rows = () => [...document.querySelectorAll(".fintrack-rows tbody tr, .fintrack-rows .q-table__grid-content .q-card")];
  new MutationObserver(() => {
    for (const row of rows()) if (!row.hasAttribute("tabindex")) row.setAttribute("tabindex", "0");
    // A table that scrolls sideways can be scrolled with the keyboard too.
    for (const region of document.querySelectorAll(".q-table__middle:not([tabindex])")) {
      region.setAttribute("tabindex", "0");
    }
    // The file picker is the file input itself, named; the link around it only draws it
    // (an interactive element inside another confuses screen readers).
    for (const input of document.querySelectorAll(".q-uploader__input:not([aria-label])")) {
      input.setAttribute("aria-label", "Choose a file");
      input.tabIndex = 0;
      const button = input.closest(".q-btn");
      button?.removeAttribute("tabindex");
      button?.setAttribute("role", "presentation");
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("keydown", (event) => {
    const all = rows();
    const here = all.indexOf(event.target);
    const fromSearch = event.target.matches?.('input[aria-label="Search"]');
    if (event.key === "ArrowDown" && (here >= 0 || fromSearch) && all.length) {
      all[Math.min(here + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && here > 0) {
      all[here - 1].focus();
    } else if (event.key === "Enter" && here >= 0 && event.target.tagName === "TR") {
      event.target.click();
    } else {
      return;
    }
    event.preventDefault();
  });
})();
