// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { cloneForSnapshot, dataUrlBytes, fitSnapshot, type Encode } from '../src/snapshot.ts';

/** An encoder whose output size is `bytesAt(scale, quality)`; records every attempt. */
function fakeEncoder(bytesAt: (scale: number, quality: number) => number, webp = true) {
  const calls: [number, string, number][] = [];
  const encode: Encode = (scale, type, quality) => {
    calls.push([scale, type, quality]);
    const n = bytesAt(scale, webp ? quality : 1);
    return `data:image/${webp ? 'webp' : 'png'};base64,${'A'.repeat(Math.ceil(n / 3) * 4)}`;
  };
  return { encode, calls };
}

describe('snapshot size loop', () => {
  it('DataUrlBytes_CountsDecodedBytesWithPadding', () => {
    expect(dataUrlBytes('data:image/png;base64,QUJD')).toBe(3);
    expect(dataUrlBytes('data:image/png;base64,QUI=')).toBe(2);
    expect(dataUrlBytes('data:image/png;base64,QQ==')).toBe(1);
  });

  it('FitSnapshot_SmallEnoughAtFirstTry_OneEncode', () => {
    const { encode, calls } = fakeEncoder(() => 1000);
    expect(fitSnapshot(encode, 200_000)).toMatch(/^data:image\/webp;base64,/);
    expect(calls).toHaveLength(1);
  });

  it('FitSnapshot_TooLarge_LowersQualityBeforeScale', () => {
    const { encode, calls } = fakeEncoder((scale, q) => 500_000 * scale * scale * q);
    const url = fitSnapshot(encode, 200_000)!;
    expect(dataUrlBytes(url)).toBeLessThanOrEqual(200_000);
    expect(calls.at(-1)).toEqual([1, 'image/webp', 0.3]);
  });

  it('FitSnapshot_PngOnly_ShrinksScale', () => {
    const { encode, calls } = fakeEncoder((scale) => 400_000 * scale * scale, false);
    const url = fitSnapshot(encode, 200_000)!;
    expect(url).toMatch(/^data:image\/png;base64,/);
    expect(calls.map((c) => c[0])).toEqual([1, 0.75, 0.5]);
  });

  it('FitSnapshot_NeverSmallEnough_Null', () => {
    const { encode, calls } = fakeEncoder(() => 10_000);
    expect(fitSnapshot(encode, 2_000)).toBeNull();
    expect(calls).toHaveLength(25); // every quality at every scale
  });
});

describe('snapshot clone', () => {
  it('Clone_DropsScriptsAndHandlersAndInlinesStyle', () => {
    document.body.innerHTML = '<div id="a" onclick="steal()" style="color: red"><script>x()</script><span>hi</span></div>';
    const clone = cloneForSnapshot(window, document.body);
    const a = clone.querySelector('#a')!;
    expect(a.getAttribute('onclick')).toBeNull();
    expect(clone.querySelector('script')).toBeNull();
    expect(a.textContent).toBe('hi');
    expect(a.getAttribute('style')).toContain('color');
  });

  it('Clone_CanvasBecomesImage', () => {
    document.body.innerHTML = '<canvas width="4" height="4"></canvas>';
    const clone = cloneForSnapshot(window, document.body);
    expect(clone.querySelector('canvas')).toBeNull();
    expect(clone.querySelector('img')).not.toBeNull();
  });

  it('Clone_MoreThanCapElements_StopsAtCap', () => {
    document.body.innerHTML = '<p></p>'.repeat(50);
    const clone = cloneForSnapshot(window, document.body, 10);
    expect(clone.querySelectorAll('*').length + 1).toBe(10);
  });

  it('Clone_InputValue_Kept', () => {
    document.body.innerHTML = '<input>';
    (document.querySelector('input') as HTMLInputElement).value = 'typed';
    expect(cloneForSnapshot(window, document.body).querySelector('input')!.getAttribute('value')).toBe('typed');
  });
});

describe('snapshot style inlining', () => {
  it('Clone_InheritedValueSameAsParent_NotRepeated', () => {
    document.body.innerHTML = '<div id="p" style="color: rgb(1, 2, 3)"><span id="c">x</span><b id="d" style="color: rgb(9, 9, 9)">y</b></div>';
    const clone = cloneForSnapshot(window, document.body);
    expect(clone.querySelector('#p')!.getAttribute('style')).toContain('color:rgb(1, 2, 3)');
    expect(clone.querySelector('#c')!.getAttribute('style')).not.toMatch(/(^|;)color:/);
    expect(clone.querySelector('#d')!.getAttribute('style')).toContain('color:rgb(9, 9, 9)');
  });
});
