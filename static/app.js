// Small behaviours the pages need; no inline scripts (the CSP forbids them).
document.addEventListener("click", (event) => {
  const close = event.target.closest(".toast-close");
  if (close) close.closest(".toast").remove();
});
