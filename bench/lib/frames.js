// Runs in the board page; bench/grid and bench/ink embed this one file. Drives pan and zoom
// through the canvas's own wheel handler (plain wheel = zoom at the pointer, shift+wheel = pan),
// one zoom and one pan per animation frame, and returns the requestAnimationFrame deltas (ms):
// the frame times a person would see. With `pan`, the camera is first zoomed to about 0.47x (four
// wheel notches at the middle, then a pause so that gesture settles) and each frame only pans, in
// a circle, so the board stays in view: the scene a drag of the board is.
async ({ frames, pan = false }) => {
  const canvas = document.querySelector('[data-testid=canvas]');
  if (!canvas) throw new Error('no board canvas');
  const r = canvas.getBoundingClientRect();
  const deltas = [];
  let last = null;
  // The wheel events are sent from a task queued by each frame's rAF callback, so they arrive
  // between two frames, as a person's input does, and the next frame draws them. Sent from inside
  // the rAF callback (as until 2026-12-05), whatever their handlers asked a rAF callback for (the
  // fractal grid's and the ink's canvases draw in one) was asked for the frame after, then
  // cancelled and asked again by the next event: the grid was never drawn during a run.
  const channel = new MessageChannel();
  let i = 0;
  if (pan) {
    for (let n = 0; n < 4; n++)
      canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  channel.port1.onmessage = () => {
    if (pan) {
      // 12 px per frame along a circle of about 230 px radius, one turn every 120 frames.
      const a = (i * 2 * Math.PI) / 120;
      canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: 12 * Math.cos(a), deltaX: 12 * Math.sin(a), shiftKey: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));
      i++;
      return;
    }
    // A slow zoom in/out cycle (0.35× … 2.8×) with a steady diagonal pan on top.
    const phase = Math.floor(i / 60) % 4;
    const zoomDelta = phase === 0 || phase === 3 ? -20 : 20;
    const cx = r.left + r.width * (0.3 + 0.4 * ((i * 7) % 100) / 100);
    const cy = r.top + r.height * 0.5;
    canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: zoomDelta, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
    canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: 6, deltaX: 4, shiftKey: true, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
    i++;
  };
  await new Promise((resolve) => {
    const step = (t) => {
      if (last !== null) deltas.push(t - last);
      last = t;
      if (i >= frames) return resolve();
      channel.port2.postMessage(null);
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  channel.port1.close();
  return deltas;
}
