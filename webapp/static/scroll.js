(clauseId) => {
  // Once the plan shows the opened clause: scroll the panel to it, and the page to the panel when
  // the panel is off screen (phones, where it sits below the chat). Polls: the re-render is async.
  const started = Date.now();
  const tick = () => {
    const panel = document.querySelector('#qx-plan .qx-scroll');
    const el = panel && [...panel.querySelectorAll('.qx-focus')].find((n) => n.dataset.cid === clauseId);
    if (!el) { if (Date.now() - started < 4000) setTimeout(tick, 100); return; }
    const head = panel.querySelector('.qx-plan-head');
    const top = el.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop
      - (head ? head.offsetHeight : 0) - 12;
    panel.scrollTop = Math.max(0, top);
    const r = panel.getBoundingClientRect();
    if (r.top < 0 || r.top > window.innerHeight * 0.5) panel.scrollIntoView({block: 'start', behavior: 'smooth'});
  };
  tick();
  return [];
}
