// Runs in the board page. Drives pan and zoom through the canvas's own wheel handler (plain
// wheel = zoom at the pointer, shift+wheel = pan), one event per animation frame, and returns
// the requestAnimationFrame deltas (ms) — the frame times a person would see.
async ({ frames }) => {
  const canvas = document.querySelector('[data-testid=canvas]');
  if (!canvas) throw new Error('no board canvas');
  const r = canvas.getBoundingClientRect();
  const deltas = [];
  let last = null;
  await new Promise((resolve) => {
    let i = 0;
    const step = (t) => {
      if (last !== null) deltas.push(t - last);
      last = t;
      if (i >= frames) return resolve();
      // A slow zoom in/out cycle (0.35× … 2.8×) with a steady diagonal pan on top.
      const phase = Math.floor(i / 60) % 4;
      const zoomDelta = phase === 0 || phase === 3 ? -20 : 20;
      const cx = r.left + r.width * (0.3 + 0.4 * ((i * 7) % 100) / 100);
      const cy = r.top + r.height * 0.5;
      canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: zoomDelta, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
      canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: 6, deltaX: 4, shiftKey: true, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
      i++;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  return deltas;
}
