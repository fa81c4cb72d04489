// Raw echo frame for the round-trip baseline: no bootstrap, no context, no validation.
addEventListener('message', (e) => {
  if (e.source !== parent || !e.data || e.data.type !== 'labyrinth:connect' || e.ports.length !== 1) return;
  const port = e.ports[0];
  port.onmessage = (m) => port.postMessage({ type: 'pong', seq: m.data.seq });
}, { once: false });
parent.postMessage({ type: 'labyrinth:frame-ready' }, '*');
