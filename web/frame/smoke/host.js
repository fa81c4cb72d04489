// In screenshot mode an image the server answers late holds the load event (when headless
// chromium takes the screenshot) until the cards have rendered and the snapshot is shown.
if (location.search.includes('shot')) { document.getElementById('out').hidden = true; const hold = new Image(); hold.src = '/slow'; hold.alt = ''; hold.width = 1; document.body.append(hold); }
const results = {};
function open(name, src, init, after) {
  return new Promise((resolve) => {
    const f = document.createElement('iframe');
    f.sandbox = 'allow-scripts';
    f.width = '300';
    f.height = '200'; // the size `init.bounds` announces
    f.src = src;
    const got = [];
    results[name] = got;
    addEventListener('message', function onMsg(e) {
      // The bootstrap offers its bridge port in a hello; a host reads only source and ports.
      if (e.source !== f.contentWindow || e.ports.length !== 1) return;
      removeEventListener('message', onMsg);
      const port = e.ports[0];
      port.onmessage = (ev) => { got.push(ev.data); };
      port.postMessage({ type: 'init', card: { instanceId: 'w_1', typeID: name, pluginId: 'x', version: '1.0.0' }, bounds: { width: 300, height: 200 }, active: true, themeTokens: { text: '#123' }, ...init });
      after?.(port);
      setTimeout(resolve, 4000);
    });
    document.body.append(f);
  });
}
await Promise.all([
  open('hello', '/cards/frame/dev.labyrinth.hello/1.0.0/hello', { props: { name: 'Ada' }, payload: { count: 3 } }, (p) => {
    setTimeout(() => { p.postMessage({ type: 'ping', seq: 42 }); p.postMessage({ type: 'propsChanged', props: { name: 'Grace' } }); }, 500);
  }),
  open('probe', '/cards/frame/dev.labyrinth.probe/1.0.0/probe', { props: { secretless: true }, payload: null }, (p) => setTimeout(() => p.postMessage({ type: 'ping', seq: 1 }), 300)),
  open('broken', '/cards/frame/dev.labyrinth.probe/1.0.0/broken', { props: {}, payload: null }),
  open('html', '/plugins/dev.labyrinth.probe/1.0.0/cards/probe.html', { props: { hi: 1 }, payload: null }),
  // A running timer; after it rendered, the host asks for a snapshot and shows it beside the frame.
  open('timer', '/cards/frame/dev.labyrinth.timer/1.0.0/timer',
    { props: { label: 'Tea' }, payload: { durationMs: 300000, remainingMs: 300000, runningSince: Date.now() - 61000 },
      themeTokens: { surface: '#fff8e7', text: '#1b1b1f', accent: '#b45309', border: '#e7c98f' } },
    (p) => setTimeout(() => p.postMessage({ type: 'captureSnapshot', id: 'snap_1', maxBytes: 200000 }), 1200)),
]);
const shot = results.timer.find((m) => m.type === 'snapshot');
if (shot) {
  const img = document.createElement('img');
  img.id = 'snap';
  img.alt = 'timer snapshot';
  img.src = shot.dataUrl;
  img.style.cssText = 'border:2px dashed #888;margin:4px';
  document.body.prepend(img);
  shot.dataUrl = `${shot.dataUrl.slice(0, 40)}… (${shot.dataUrl.length} chars)`;
}
document.getElementById('out').textContent = JSON.stringify(results, null, 1);
await fetch('/results', { method: 'POST', body: JSON.stringify(results, null, 1) });
