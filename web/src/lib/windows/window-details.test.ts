import { describe, expect, it } from 'vitest';
import { OUTLINE_ZOOM, REDRAWS_PER_FRAME } from '../canvas/culling';
import { WindowDetails, type PlacedWindow } from './window-details.svelte';

const view = { width: 1280, height: 800 };
// The bench's board: 20 columns by 10 rows of 300 × 220 windows, 340 × 260 apart.
const board: PlacedWindow[] = Array.from({ length: 200 }, (_, i) => ({
  id: `w${i}`,
  x: (i % 20) * 340,
  y: Math.floor(i / 20) * 260,
  width: 300,
  height: 220,
  pinned: false,
}));

/** A WindowDetails whose "next animation frame" runs when the test says so. */
function paced() {
  const frames: (() => void)[] = [];
  const details = new WindowDetails((run) => frames.push(run));
  const counts = () => {
    const c = { full: 0, outline: 0, culled: 0 };
    for (const w of board) c[details.of(w.id)]++;
    return c;
  };
  const nextFrame = () => frames.splice(0).forEach((run) => run());
  return { details, frames, counts, nextFrame };
}

describe('WindowDetails', () => {
  it('WindowDetails_ZoomedInPastOutlineZoom_RedrawsAFewPerFrameUntilAllAreFull', () => {
    const { details, frames, counts, nextFrame } = paced();
    const far = { x: 0, y: 0, zoom: OUTLINE_ZOOM * 0.5 };
    details.update(board, far, view);
    expect(counts().full).toBe(0);

    const near = { x: 0, y: 0, zoom: OUTLINE_ZOOM };
    details.update(board, near, view);
    const inView = board.filter((w) => w.x * near.zoom < view.width + 200 && w.y * near.zoom < view.height + 200).length;
    expect(counts().full).toBe(REDRAWS_PER_FRAME);
    // The rest are put off to the next frame, which comes whether or not the camera moves again.
    expect(frames).toHaveLength(1);
    let passes = 1;
    while (frames.length > 0) {
      nextFrame();
      details.update(board, near, view);
      passes++;
    }
    expect(counts().full).toBe(inView);
    expect(passes).toBe(Math.ceil(inView / REDRAWS_PER_FRAME));
  });

  it('WindowDetails_ZoomedOutPastOutlineZoom_AllReducedInOneFrame', () => {
    const { details, frames, counts } = paced();
    details.update(board, { x: 0, y: 0, zoom: 1 }, view);
    details.update(board, { x: 0, y: 0, zoom: OUTLINE_ZOOM * 0.5 }, view);
    expect(counts().full).toBe(0);
    expect(frames).toHaveLength(0);
  });

  it('WindowDetails_FirstPass_DrawsEveryWindowAsItShouldBe', () => {
    // The board's first picture is not paced: nothing to keep smooth yet.
    const { details, frames, counts } = paced();
    details.update(board, { x: 0, y: 0, zoom: OUTLINE_ZOOM }, view);
    expect(counts().full).toBeGreaterThan(REDRAWS_PER_FRAME);
    expect(frames).toHaveLength(0);
  });
});
