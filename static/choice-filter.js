// Progressive enhancement: a box that narrows each long list of checkboxes to the names typed.
// Without JavaScript every checkbox is still there, in its expandable group.
for (const box of document.querySelectorAll("[data-choice-filter]")) {
  box.hidden = false;
  const input = box.querySelector("input");
  const scope = document.getElementById(input.dataset.filterFor);
  input.addEventListener("input", () => {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    for (const group of scope.querySelectorAll("[data-choice-group]")) {
      let shown = 0;
      for (const item of group.querySelectorAll("[data-choice]")) {
        const text = item.textContent.toLowerCase();
        const match = words.every((w) => text.includes(w));
        item.style.display = match ? "" : "none";  // GOV.UK's display: flex outranks the hidden attribute
        if (match) shown += 1;
      }
      group.style.display = words.length > 0 && shown === 0 ? "none" : "";
      if (words.length > 0 && shown > 0) group.open = true;
    }
  });
}
