import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';

const FRAME = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('frame build', () => {
  it('Build_FromRepoRoot_WritesSmallMinifiedBootstrapWithCompressedSiblings', () => {
    const run = spawnSync(process.execPath, [path.join(FRAME, 'build.mjs')], { cwd: path.join(FRAME, '../..'), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const js = fs.readFileSync(path.join(FRAME, 'dist/bootstrap.js'));
    // Every card frame loads it before the card: keep it small (the snapshot rasteriser, the
    // selection snapshot, the workspace bus API — respond, request, history — the focus guard
    // that keeps a card from taking the keyboard without the person's action, and the background
    // service half — initService, apiCall, deactivate: about 3.5 KB raw, 0.7 KB brotli — and the
    // plugin's configuration and storage — config, configChanged, storage.get/set/delete/list with
    // the checks the page would otherwise drop unanswered: about 1.5 KB raw, 0.45 KB brotli — and a
    // plugin page's params and navigate — included).
    const br = fs.readFileSync(path.join(FRAME, 'dist/bootstrap.js.br'));
    expect(br.length).toBeLessThan(7.5 * 1024);
    expect(js.length).toBeLessThan(22 * 1024);
    expect(zlib.brotliDecompressSync(br).equals(js)).toBe(true);
    const text = js.toString('utf8');
    expect(text).not.toMatch(/^\s*import\s/m); // self-contained: no static imports
    expect(text).not.toMatch(/\bexport\s*\{/); // exposes nothing
    expect(text).toContain('RTCPeerConnection');
    expect(text).toContain('labyrinth:hello');
    expect(text).toContain('foreignObject'); // the rasteriser is inline: no second script to serve
  });
});
