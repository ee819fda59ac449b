// Small behaviours the pages need; no inline scripts (the CSP forbids them).
"use strict";

document.addEventListener("click", (event) => {
  const close = event.target.closest(".toast-close");
  if (close) close.closest(".toast").remove();
});

// The composer keeps its draft in localStorage until the message is sent, so
// a draft typed while the session expired is back after signing in again.
function composer() {
  return document.getElementById("composer");
}

function draftKey(form) {
  return form && form.dataset.draftKey;
}

function restoreDraft() {
  const form = composer();
  const key = draftKey(form);
  if (!key) return;
  const box = form.querySelector("textarea");
  const saved = localStorage.getItem(key);
  if (saved && !box.value) box.value = saved;
  box.addEventListener("input", () => {
    if (box.value.trim()) localStorage.setItem(key, box.value);
    else localStorage.removeItem(key);
  });
  box.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter starts a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (box.value.trim()) form.requestSubmit();
    }
  });
}

function scrollToEnd() {
  const messages = document.getElementById("messages");
  if (messages) messages.scrollTop = messages.scrollHeight;
}

document.body.addEventListener("htmx:afterRequest", (event) => {
  const form = composer();
  if (event.detail.elt !== form || !event.detail.successful) return;
  localStorage.removeItem(draftKey(form));
  form.reset();
  form.querySelector("textarea").focus();
});

document.body.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id !== "older") scrollToEnd();
});
document.body.addEventListener("htmx:sseMessage", scrollToEnd);

// The conversation list is always open on wide screens, folded on phones.
const list = document.querySelector(".conversation-list");
if (list && window.matchMedia("(min-width: 48rem)").matches) list.open = true;

restoreDraft();
scrollToEnd();
