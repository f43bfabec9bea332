// The contacts list works without this script; it adds "select every contact on this
// page", which plain HTML cannot do (and app.css hides the bulk actions until a box is
// ticked once it knows the script runs). Listeners sit on the document so that they keep
// working after htmx swaps the results in.
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  const box = event.target;
  const form = box.form;
  if (!form || box.type !== "checkbox") return;
  const rows = Array.from(form.querySelectorAll("input[name=ids]"));
  const all = form.querySelector("[data-select-all]");
  if (!all) return;
  if (box === all) {
    rows.forEach((row) => { row.checked = all.checked; });
  } else if (box.name === "ids") {
    const ticked = rows.filter((row) => row.checked).length;
    all.checked = ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  }
});

// On a phone the filters fold away under the search box so that the list comes first; the
// filters in use are listed above the results, each with a link that drops it.
const filterPanel = document.querySelector(".filter-panel");
if (filterPanel && window.matchMedia("(max-width: 40rem)").matches
    && !filterPanel.querySelector(".error")) {
  filterPanel.open = false;
}
