// Progressive enhancement: the citation is selectable text without JavaScript;
// with it, a button copies the text to the clipboard and says so to screen readers.
document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    let message;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      message = "Hänvisningen är kopierad.";
    } catch (err) {
      message = "Kunde inte kopiera. Markera texten och kopiera den.";
    }
    if (status) status.textContent = message;
  });
});
