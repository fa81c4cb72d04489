const results = {};
function open(name, src, init, after) {
  return new Promise((resolve) => {
    const f = document.createElement('iframe');
    f.sandbox = 'allow-scripts';
    f.src = src;
    const got = [];
    results[name] = got;
    addEventListener('message', function onMsg(e) {
      if (e.source !== f.contentWindow || e.data?.type !== 'labyrinth:frame-ready') return;
      removeEventListener('message', onMsg);
      const ch = new MessageChannel();
      ch.port1.onmessage = (ev) => { got.push(ev.data); };
      f.contentWindow.postMessage({ type: 'labyrinth:connect', protocol: 1 }, '*', [ch.port2]);
      ch.port1.postMessage({ type: 'init', card: { instanceId: 'w_1', typeID: name, pluginId: 'x', version: '1.0.0' }, bounds: { width: 300, height: 200 }, active: true, themeTokens: { text: '#123' }, ...init });
      after?.(ch.port1);
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
]);
document.getElementById('out').textContent = JSON.stringify(results, null, 1);
await fetch('/results', { method: 'POST', body: JSON.stringify(results, null, 1) });
