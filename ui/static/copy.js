// Progressive enhancement: the citation is selectable text without JavaScript;
// with it, a button copies the text to the clipboard.
document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = "Kopierad!";
    } catch (err) {
      button.textContent = "Markera texten och kopiera";
    }
    setTimeout(() => { button.textContent = "Kopiera hänvisning"; }, 2500);
  });
});
