// The report's Print button (no inline handlers: the site's CSP forbids inline scripts).
document.querySelectorAll(".js-print").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
