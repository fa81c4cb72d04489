import { describe, expect, it } from 'vitest';
import { CULL_MARGIN_PX, OUTLINE_ZOOM, paceDetailChanges, panIntoView, REDRAWS_PER_FRAME, windowDetail, type DetailChange } from './culling';
import { worldToScreen } from './viewport-math';

const view = { width: 1280, height: 800 };
const at = (x: number, y: number) => ({ x, y, width: 300, height: 220 });

describe('windowDetail', () => {
  it('windowDetail_InView_Full', () => {
    expect(windowDetail(at(100, 100), { x: 0, y: 0, zoom: 1 }, view)).toBe('full');
  });

  it('windowDetail_PartlyInView_Full', () => {
    // Only its last 10 px column shows at the left edge.
    expect(windowDetail(at(-290, 100), { x: 0, y: 0, zoom: 1 }, view)).toBe('full');
  });

  it('windowDetail_InsideMarginOffScreen_Full', () => {
    expect(windowDetail(at(1280 + CULL_MARGIN_PX - 1, 0), { x: 0, y: 0, zoom: 1 }, view)).toBe('full');
    expect(windowDetail(at(-300 - CULL_MARGIN_PX + 1, 0), { x: 0, y: 0, zoom: 1 }, view)).toBe('full');
  });

  it.each([
    ['right', 1280 + CULL_MARGIN_PX + 1, 0],
    ['left', -300 - CULL_MARGIN_PX - 1, 0],
    ['below', 0, 800 + CULL_MARGIN_PX + 1],
    ['above', 0, -220 - CULL_MARGIN_PX - 1],
  ])('windowDetail_BeyondMargin%s_Culled', (_side, x, y) => {
    expect(windowDetail(at(x, y), { x: 0, y: 0, zoom: 1 }, view)).toBe('culled');
  });

  it('windowDetail_UsesTheCamera_PannedAndZoomed', () => {
    // World (5000, 2000) is far off at the identity camera; this camera puts it at screen (100, 100).
    const v = { x: 100 - 5000 * 2, y: 100 - 2000 * 2, zoom: 2 };
    expect(worldToScreen(v, { x: 5000, y: 2000 })).toEqual({ x: 100, y: 100 });
    expect(windowDetail(at(5000, 2000), v, view)).toBe('full');
    expect(windowDetail(at(0, 0), v, view)).toBe('culled');
  });

  it('windowDetail_ZoomedOutPastOutlineZoom_OutlineWhenInView', () => {
    const v = { x: 0, y: 0, zoom: OUTLINE_ZOOM * 0.99 };
    expect(windowDetail(at(100, 100), v, view)).toBe('outline');
    expect(windowDetail(at(100, 100), { ...v, zoom: OUTLINE_ZOOM }, view)).toBe('full');
  });

  it('windowDetail_ZoomedOutAndOffScreen_Culled', () => {
    expect(windowDetail(at(100_000, 0), { x: 0, y: 0, zoom: 0.1 }, view)).toBe('culled');
  });

  it('windowDetail_ViewNotMeasured_Full', () => {
    expect(windowDetail(at(100_000, 0), { x: 0, y: 0, zoom: 0.1 }, { width: 0, height: 0 })).toBe('full');
  });

  it('windowDetail_TwoHundredWindowBoardZoomedIn_CullsAllButTheFewInView', () => {
    // The bench's board: 20 columns by 10 rows of 300 × 220 windows, 340 × 260 apart.
    const board = Array.from({ length: 200 }, (_, i) => at((i % 20) * 340, Math.floor(i / 20) * 260));
    const drawn = board.filter((r) => windowDetail(r, { x: -340 * 5, y: -260 * 3, zoom: 1 }, view) !== 'culled');
    // World x 1,500–3,180 and y 580–1,780 (the view and its 200 px margin) meet columns 4–9, rows 2–6.
    expect(drawn.length).toBe(6 * 5);
  });
});

describe('panIntoView', () => {
  const v = { x: 0, y: 0, zoom: 1 };

  it('panIntoView_AlreadyInView_SameViewport', () => {
    expect(panIntoView(v, view, at(100, 100))).toBe(v);
  });

  it('panIntoView_FarRight_MovesJustEnoughToShowItWithPadding', () => {
    const next = panIntoView(v, view, at(5000, 100), 24);
    expect(next.zoom).toBe(1);
    expect(worldToScreen(next, { x: 5000 + 300, y: 100 }).x).toBe(1280 - 24);
    expect(next.y).toBe(0);
  });

  it('panIntoView_AboveAndLeft_ShowsTopLeftWithPadding', () => {
    const next = panIntoView({ x: 0, y: 0, zoom: 0.5 }, view, at(-4000, -3000), 24);
    expect(worldToScreen(next, { x: -4000, y: -3000 })).toEqual({ x: 24, y: 24 });
    expect(next.zoom).toBe(0.5);
  });

  it('panIntoView_LargerThanView_AlignsTopLeft', () => {
    const big = { x: 3000, y: 3000, width: 4000, height: 3000 };
    const next = panIntoView(v, view, big, 24);
    expect(worldToScreen(next, { x: 3000, y: 3000 })).toEqual({ x: 0, y: 0 });
  });

  it('panIntoView_AfterPanning_WindowIsFull', () => {
    const r = at(9000, -7000);
    const v2 = { x: 10, y: 20, zoom: 0.8 };
    expect(windowDetail(r, v2, view)).toBe('culled');
    expect(windowDetail(r, panIntoView(v2, view, r), view)).toBe('full');
  });
});

describe('paceDetailChanges', () => {
  // The bench's board: 20 columns by 10 rows of 300 × 220 windows, 340 × 260 apart.
  const board = Array.from({ length: 200 }, (_, i) => at((i % 20) * 340, Math.floor(i / 20) * 260));
  const change = (rect: ReturnType<typeof at>, from: DetailChange['from'], to: DetailChange['to'], pinned = false): DetailChange => ({ rect, from, to, pinned });

  it('paceDetailChanges_ZoomingInPastOutlineZoom_RedrawsAtMostTheBudgetNearestTheMiddleFirst', () => {
    // Just past the outline zoom every window in view turns from an outline back into a window.
    const v = { x: 0, y: 0, zoom: OUTLINE_ZOOM };
    const changes = board.filter((r) => windowDetail(r, v, view) === 'full').map((r) => change(r, 'outline', 'full'));
    expect(changes.length).toBeGreaterThan(REDRAWS_PER_FRAME * 5);
    const now = paceDetailChanges(changes, v, view);
    expect(now).toHaveLength(REDRAWS_PER_FRAME);
    const distance = (c: DetailChange) => Math.hypot((c.rect.x + 150) * v.zoom - 640, (c.rect.y + 110) * v.zoom - 400);
    const farthestTaken = Math.max(...now.map(distance));
    const nearestLeft = Math.min(...changes.filter((c) => !now.includes(c)).map(distance));
    expect(farthestTaken).toBeLessThanOrEqual(nearestLeft);
  });

  it('paceDetailChanges_FewerThanTheBudget_AppliesAll', () => {
    const v = { x: 0, y: 0, zoom: 1 };
    const changes = board.slice(0, 3).map((r) => change(r, 'outline', 'full'));
    expect(paceDetailChanges(changes, v, view)).toEqual(changes);
  });

  it('paceDetailChanges_DrawingLess_AppliesAtOnce', () => {
    // Zooming out past the outline zoom: every window becomes an outline or is culled, in one frame.
    const v = { x: 0, y: 0, zoom: OUTLINE_ZOOM * 0.9 };
    const changes = board.map((r) => change(r, 'full', windowDetail(r, v, view)));
    expect(paceDetailChanges(changes, v, view)).toHaveLength(changes.length);
    const culledToOutline = board.map((r) => change(r, 'culled', 'outline'));
    expect(paceDetailChanges(culledToOutline, v, view)).toHaveLength(board.length);
  });

  it('paceDetailChanges_CulledWindowNowOnScreen_DrawnAtOnceWhateverTheBudget', () => {
    // A window that was culled shows as an empty box if it is on screen and not drawn.
    const v = { x: 0, y: 0, zoom: 1 };
    const onScreen = board.filter((r) => windowDetail(r, v, view, 0) !== 'culled').map((r) => change(r, 'culled', 'full'));
    const offScreen = board.filter((r) => windowDetail(r, v, view, 0) === 'culled' && windowDetail(r, v, view) === 'full').map((r) => change(r, 'culled', 'full'));
    expect(offScreen.length).toBeGreaterThan(0);
    const now = paceDetailChanges([...offScreen, ...onScreen], v, view, 2);
    expect(now.filter((c) => onScreen.includes(c))).toHaveLength(onScreen.length);
    expect(now.filter((c) => offScreen.includes(c))).toHaveLength(2);
  });

  it('paceDetailChanges_PinnedWindow_AppliesAtOnce', () => {
    const v = { x: 0, y: 0, zoom: OUTLINE_ZOOM };
    const changes = board.map((r, i) => change(r, 'outline', 'full', i === 150));
    const now = paceDetailChanges(changes, v, view, 1);
    expect(now).toContain(changes[150]);
    expect(now).toHaveLength(2);
  });
});
