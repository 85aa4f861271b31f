// Progressive enhancement: the citation is a selectable read-only field without JavaScript;
// with it, buttons copy the field. navigator.clipboard exists only in secure contexts
// (HTTPS, localhost): on a plain-HTTP intranet host the field is selected and copied with
// document.execCommand("copy") instead. Screen readers hear the outcome.
function copyByCommand(field) {
  field.focus();
  field.select();
  field.setSelectionRange(0, field.value.length);
  try {
    return document.execCommand("copy");
  } catch (err) {
    return false;
  }
}

async function copyField(field) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(field.value.trim());
      return true;
    } catch (err) {
      // Permission refused: fall through to the selection.
    }
  }
  return copyByCommand(field);
}

document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = button.closest("section").querySelector(".copy-status");
  if (!field) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const ok = await copyField(field);
    if (status) {
      status.textContent = ok ? "Hänvisningen är kopierad."
        : "Kunde inte kopiera. Texten är markerad: tryck Ctrl+C.";
    }
  });
});
