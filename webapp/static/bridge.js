// Installed once per page: turn our #qx-… links (chat, sources, plan, briefing) into server events.
if (!window.__qxBridge) {
  window.__qxBridge = true;
  const copyText = (node) => {
    const box = node.closest('.qx-answer');
    if (!box) return;
    const text = [...box.querySelectorAll('.qx-text, .qx-srcs')].map((n) => n.innerText.trim()).join('\n');
    const fallback = () => { const t = document.createElement('textarea'); t.value = text;
      document.body.appendChild(t); t.select(); document.execCommand('copy'); t.remove(); };
    (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).catch(fallback);
    node.textContent = '✓ 已复制'; setTimeout(() => { node.textContent = '复制'; }, 1500);
  };
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href^="#qx-"]');
    if (!a) return;
    e.preventDefault();
    e.stopPropagation();
    const h = decodeURIComponent(a.getAttribute('href').slice(4));
    let m;
    if (h === 'copy') { copyText(a); }
    else if (h === 'back') { document.querySelector('#qx-chat')?.scrollIntoView({behavior: 'smooth'}); }
    else if ((m = h.match(/^open-(.+)$/))) { props.value = m[1]; trigger('open'); }
    else if ((m = h.match(/^pin-(\d+)$/))) { props.value = m[1]; trigger('pin'); }
    else if ((m = h.match(/^brief-(up|down|del)-(\d+)$/))) { props.value = m[1] + ':' + m[2]; trigger('brief'); }
  }, true);
}
