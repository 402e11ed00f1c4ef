// A click on a citation [n] opens that source under the answer, scrolls to it and flashes it.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.cite");
  if (!link) return;
  event.preventDefault();
  const source = document.getElementById(link.getAttribute("href").slice(1));
  if (!source) return;
  source.open = true;
  source.scrollIntoView({ behavior: "smooth", block: "nearest" });
  source.classList.remove("flash");
  void source.offsetWidth;
  source.classList.add("flash");
});
