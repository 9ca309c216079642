// /system: the page is rendered by algo; it is reloaded every 10 s while visible.
window.setInterval(() => {
  if (!document.hidden) location.reload();
}, 10_000);
