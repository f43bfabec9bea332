// The composer works without this script; it only adds the "Insert" buttons of the product
// picker, which put a product block where the cursor is in the message. The input event it
// sends lets htmx refresh the preview, as typing would.
document.documentElement.classList.add("js");

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert]");
  if (!button) return;
  const body = document.getElementById("id_body_markdown");
  if (!body) return;
  const block = button.dataset.insert;
  const start = body.selectionStart ?? body.value.length;
  const end = body.selectionEnd ?? start;
  const before = body.value.slice(0, start);
  const after = body.value.slice(end);
  // A block stands on a line of its own, so that Markdown leaves it alone.
  const lead = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
  const tail = after.startsWith("\n") ? "" : "\n\n";
  body.value = before + lead + block + tail + after;
  const caret = (before + lead + block).length;
  body.focus();
  body.setSelectionRange(caret, caret);
  body.dispatchEvent(new Event("input", { bubbles: true }));
});
