import { describe, expect, it } from 'vitest';
import type { FractalGrid } from '../themes/types';
import {
  FADE_FULL_PX,
  FADE_MIN_PX,
  backdropColor,
  drawGrid,
  gridFamilies,
  gridSpecFrom,
  planGrid,
  tileSpacing,
  type GridContext,
} from './grid-math';

const lined: FractalGrid = {
  enabled: true,
  groups: [
    { level: 'tileBorder', axes: 'horizontal', color: [1, 1, 1, 0.16], widthPx: 1.5 },
    { level: 'child', axes: 'horizontal', color: [1, 1, 1, 0.09], widthPx: 1 },
    { level: 'grandchild', axes: 'horizontal', color: [1, 1, 1, 0.05], widthPx: 1 },
  ],
};
const both: FractalGrid = {
  enabled: true,
  groups: [
    { level: 'tileBorder', axes: 'both', color: '#ff0000', widthPx: 2 },
    { level: 'child', axes: 'both', color: '#00ff00', widthPx: 1 },
    { level: 'grandchild', axes: 'both', color: '#0000ff80', widthPx: 1 },
  ],
};

describe('tileSpacing', () => {
  it.each([0.1, 0.25, 0.39, 1, 1.7, 3.2, 4])('tileSpacing_AnyZoom_TileIsTwoHundredToSixteenHundredPxOnScreen (%s)', (zoom) => {
    const s = tileSpacing(zoom) * zoom;
    expect(s).toBeGreaterThanOrEqual(200 - 1e-6);
    expect(s).toBeLessThan(1600);
  });

  it('tileSpacing_ZoomOne_IsEightCubed', () => {
    expect(tileSpacing(1)).toBe(512);
  });

  it('tileSpacing_ExactlyTwoHundredPx_StaysOnThatLevel', () => {
    expect(tileSpacing(200 / 512)).toBe(512);
  });
});

describe('gridSpecFrom', () => {
  it('gridSpecFrom_Disabled_IsNull', () => {
    expect(gridSpecFrom({ ...both, enabled: false })).toBeNull();
  });

  it('gridSpecFrom_Missing_IsNull', () => {
    expect(gridSpecFrom(null)).toBeNull();
  });

  it('gridSpecFrom_HorizontalAxes_VerticalAlphaIsZero', () => {
    const spec = gridSpecFrom(lined)!;
    expect(spec.tileBorder.h[3]).toBeCloseTo(0.16);
    expect(spec.tileBorder.v[3]).toBe(0);
  });

  it('gridSpecFrom_BadColor_LevelIsInvisible', () => {
    const spec = gridSpecFrom({ enabled: true, groups: [{ level: 'child', axes: 'both', color: 'url(x)' }] })!;
    expect(spec.child.h[3]).toBe(0);
  });

  it('gridSpecFrom_HugeWidth_IsClamped', () => {
    const spec = gridSpecFrom({ enabled: true, groups: [{ level: 'child', axes: 'both', color: '#fff', widthPx: 1e9 }] })!;
    expect(spec.child.widthPx).toBe(8);
  });
});

describe('gridFamilies', () => {
  const spec = gridSpecFrom(both)!;

  it('gridFamilies_AnyZoom_ChildIsTileOverEightAndGrandchildTileOverSixtyFour', () => {
    const [t, c, g] = gridFamilies(0.8, spec);
    expect(c!.spacing).toBe(t!.spacing / 8);
    expect(g!.spacing).toBe(t!.spacing / 64);
  });

  it('gridFamilies_MidBand_ChildHasChildStyle', () => {
    // zoom 1: tile 512 px, child 64 px (u ≈ -0.55, outside the blend), grandchild 8 px.
    const [, c] = gridFamilies(1, spec);
    expect(c!.style.v).toEqual(spec.child.v);
  });

  it('gridFamilies_GrandchildAtFadeMinimum_IsInvisible', () => {
    const zoom = (FADE_MIN_PX * 64) / 512; // grandchild exactly FADE_MIN_PX on screen
    const g = gridFamilies(zoom, spec)[2]!;
    expect(g.screenSpacing).toBeCloseTo(FADE_MIN_PX);
    expect(g.style.v[3]).toBeCloseTo(0);
  });

  it('gridFamilies_GrandchildPastFade_HasFullAlpha', () => {
    const zoom = (FADE_FULL_PX * 1.2 * 64) / 512;
    const g = gridFamilies(zoom, spec)[2]!;
    expect(g.style.v[3]).toBeCloseTo(spec.grandchild.v[3]);
  });

  it('gridFamilies_AcrossBandSwitch_StylesAreContinuous', () => {
    // Just below and just above the zoom where the tile level jumps from 1600 px back to 200 px.
    const edge = 1600 / 512;
    const below = gridFamilies(edge * 0.9999, spec);
    const above = gridFamilies(edge * 1.0001, spec);
    // The 200 px family (child below, tile above) and the 25 px family (grandchild below, child above).
    expect(below[1]!.style.v[0]).toBeCloseTo(above[0]!.style.v[0], 2);
    expect(below[1]!.style.widthPx).toBeCloseTo(above[0]!.style.widthPx, 2);
    expect(below[2]!.style.v[1]).toBeCloseTo(above[1]!.style.v[1], 2);
    expect(above[2]!.style.v[3]).toBeCloseTo(0, 2);
  });

  it('gridFamilies_ZoomSweep_AlphaNeverJumps', () => {
    // Alpha of the line family at a fixed screen spacing band moves smoothly as zoom sweeps.
    let prev: number | null = null;
    for (let z = 0.1; z < 4; z *= 1.002) {
      const alphaAt8Px = gridFamilies(z, spec).reduce((sum, f) => sum + f.style.v[3] / f.screenSpacing, 0);
      if (prev !== null) expect(Math.abs(alphaAt8Px - prev)).toBeLessThan(0.01);
      prev = alphaAt8Px;
    }
  });
});

describe('planGrid', () => {
  it('planGrid_HorizontalOnlyTheme_HasNoVerticalLines', () => {
    const plan = planGrid({ x: 13, y: 7, zoom: 1 }, { width: 800, height: 600 }, 1, gridSpecFrom(lined)!);
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.every((b) => b.axis === 'h')).toBe(true);
  });

  it('planGrid_TileLines_FollowPan', () => {
    // zoom 1, tile 512: world y = 0 and 512 are at screen 100 and 612.
    const spec = gridSpecFrom({ enabled: true, groups: [{ level: 'tileBorder', axes: 'horizontal', color: '#fff', widthPx: 1 }] })!;
    const plan = planGrid({ x: 0, y: 100, zoom: 1 }, { width: 400, height: 700 }, 1, spec);
    expect(plan).toHaveLength(1);
    expect(plan[0]!.starts).toEqual([100, 612]);
  });

  it('planGrid_HighDpi_LinesSnapToWholeDevicePixels', () => {
    const plan = planGrid({ x: 0.3, y: 0.77, zoom: 0.93 }, { width: 500, height: 500 }, 2, gridSpecFrom(both)!);
    for (const b of plan) {
      expect(Number.isInteger(b.width)).toBe(true);
      for (const s of b.starts) expect(Number.isInteger(s)).toBe(true);
    }
    expect(plan.find((b) => b.color.startsWith('rgba(255, 0, 0'))!.width).toBe(4);
  });

  it('planGrid_CoarserFamilyOwnsSharedPositions_NoLineDrawnTwice', () => {
    const plan = planGrid({ x: 0, y: 0, zoom: 1 }, { width: 1100, height: 10 }, 1, gridSpecFrom(both)!);
    const vertical = plan.filter((b) => b.axis === 'v');
    const all = vertical.flatMap((b) => b.starts.map((s) => s + b.width / 2));
    const rounded = all.map((c) => Math.round(c));
    expect(new Set(rounded).size).toBe(rounded.length);
    // 0, 512, 1024 belong to the tile family.
    expect(vertical[0]!.starts.map((s) => s + 1)).toEqual([0, 512, 1024]);
  });

  it('planGrid_CoarserFamilyDrawsOtherAxisOnly_FinerFamilyFillsTheGap', () => {
    const spec = gridSpecFrom({
      enabled: true,
      groups: [
        { level: 'tileBorder', axes: 'horizontal', color: '#fff' },
        { level: 'child', axes: 'both', color: '#fff' },
      ],
    })!;
    const plan = planGrid({ x: 0, y: 0, zoom: 1 }, { width: 600, height: 10 }, 1, spec);
    const v = plan.filter((b) => b.axis === 'v').flatMap((b) => b.starts);
    expect(v).toContain(0); // x = 0 is a tile position, but the tile level draws no verticals
  });

  it('planGrid_EmptyViewport_NoLines', () => {
    expect(planGrid({ x: 0, y: 0, zoom: 1 }, { width: 0, height: 0 }, 1, gridSpecFrom(both)!)).toEqual([]);
  });
});

describe('drawGrid', () => {
  it('drawGrid_Plan_FillsFullLengthRectangles', () => {
    const calls: number[][] = [];
    const ctx: GridContext = {
      fillStyle: '',
      clearRect: () => {},
      fillRect: (...a: number[]) => void calls.push(a),
    };
    drawGrid(ctx, [{ axis: 'h', color: 'red', width: 2, starts: [10] }], 300, 200);
    expect(calls).toEqual([[0, 10, 300, 2]]);
  });

  it('drawGrid_Background_FillsItUnderTheLinesInsteadOfClearing', () => {
    const calls: [string, string, ...number[]][] = [];
    const ctx: GridContext = {
      fillStyle: '',
      clearRect: (...a: number[]) => void calls.push(['clear', '', ...a]),
      fillRect(...a: number[]) {
        calls.push(['fill', String(this.fillStyle), ...a]);
      },
    };
    drawGrid(ctx, [{ axis: 'v', color: 'red', width: 1, starts: [7] }], 300, 200, 'rgb(18, 20, 25)');
    expect(calls).toEqual([
      ['fill', 'rgb(18, 20, 25)', 0, 0, 300, 200],
      ['fill', 'red', 7, 0, 1, 200],
    ]);
  });
});

describe('backdropColor', () => {
  it('backdropColor_OpaqueBoard_IsTheBoardsColour', () => {
    expect(backdropColor(['rgb(18, 20, 25)', 'rgb(255, 0, 0)'])).toBe('rgba(18, 20, 25, 1)');
  });

  it('backdropColor_TranslucentBoard_CompositesOverTheFirstOpaqueAncestor', () => {
    expect(backdropColor(['rgba(0, 0, 0, 0)', 'rgba(255, 0, 0, 0.5)', 'rgb(0, 0, 255)', 'rgb(0, 255, 0)'])).toBe(
      'rgba(128, 0, 128, 1)',
    );
  });

  it('backdropColor_NothingOpaqueOrUnparsable_EndsOnWhite', () => {
    expect(backdropColor(['oklch(0.5 0.1 200)', 'rgba(0, 0, 0, 0.5)'])).toBe('rgba(128, 128, 128, 1)');
    expect(backdropColor([])).toBe('rgba(255, 255, 255, 1)');
  });
});
