import { describe, expect, it } from 'vitest';
import { frameUrlMatches, killMatches, killNotice, parseKillEvent, planKill, retryDelay, windowsAffectedBy } from './kill';

const win = (id: string, pluginId: string | null, version = '1.0.0', kind = 'plugin') => ({
  id,
  kind,
  plugin: pluginId ? { pluginId, version } : null,
});

describe('killMatches', () => {
  it('killMatches_NullVersion_HitsEveryVersion', () => {
    expect(killMatches({ pluginId: 'a.b', version: null }, { pluginId: 'a.b', version: '1.0.0' })).toBe(true);
    expect(killMatches({ pluginId: 'a.b', version: null }, { pluginId: 'a.b', version: '2.0.0' })).toBe(true);
  });
  it('killMatches_Version_HitsOnlyThatVersion', () => {
    expect(killMatches({ pluginId: 'a.b', version: '1.0.0' }, { pluginId: 'a.b', version: '1.0.0' })).toBe(true);
    expect(killMatches({ pluginId: 'a.b', version: '1.0.0' }, { pluginId: 'a.b', version: '1.0.1' })).toBe(false);
  });
  it('killMatches_OtherPlugin_NoHit', () => {
    expect(killMatches({ pluginId: 'a.b', version: null }, { pluginId: 'a.bc', version: '1.0.0' })).toBe(false);
  });
});

describe('windowsAffectedBy', () => {
  const windows = [
    win('w1', 'com.example.hello', '1.0.0'),
    win('w2', 'com.example.hello', '1.1.0'),
    win('w3', 'com.example.other', '1.0.0'),
    win('w4', null, '1.0.0', 'form'),
    win('w5', 'com.example.hello', '1.0.0', 'chat'),
  ];
  it('windowsAffectedBy_WholePlugin_AllItsPluginWindows', () => {
    expect(windowsAffectedBy({ pluginId: 'com.example.hello', version: null }, windows)).toEqual(['w1', 'w2']);
  });
  it('windowsAffectedBy_OneVersion_OnlyThoseWindows', () => {
    expect(windowsAffectedBy({ pluginId: 'com.example.hello', version: '1.1.0' }, windows)).toEqual(['w2']);
  });
  it('windowsAffectedBy_NotOnBoard_Empty', () => {
    expect(windowsAffectedBy({ pluginId: 'com.example.none', version: null }, windows)).toEqual([]);
  });
});

describe('frameUrlMatches', () => {
  const ev = { pluginId: 'com.example.hello', version: '1.0.0' };
  it('frameUrlMatches_JsFrameRoute_ByIdAndVersion', () => {
    expect(frameUrlMatches(ev, '/cap/tok_en-1/cards/frame/com.example.hello/1.0.0/note')).toBe(true);
    expect(frameUrlMatches(ev, '/cap/tok_en-1/cards/frame/com.example.hello/2.0.0/note')).toBe(false);
  });
  it('frameUrlMatches_HtmlEntry_ByIdAndVersion', () => {
    expect(frameUrlMatches(ev, '/cap/tok_en-1/plugins/com.example.hello/1.0.0/index.html')).toBe(true);
    expect(frameUrlMatches({ pluginId: 'com.example.hello', version: null }, 'http://x/cap/tok_en-1/plugins/com.example.hello/9.9.9/a.html')).toBe(true);
  });
  it('frameUrlMatches_EncodedSegments_Decoded', () => {
    expect(frameUrlMatches({ pluginId: 'a b', version: '1.0.0+x' }, '/cap/tok_en-1/cards/frame/a%20b/1.0.0%2Bx/t')).toBe(true);
  });
  it('frameUrlMatches_OtherUrls_NoHit', () => {
    expect(frameUrlMatches(ev, '/api/plugins')).toBe(false);
    expect(frameUrlMatches(ev, '/cards/frame/com.example.hello/1.0.0/note')).toBe(false);
    expect(frameUrlMatches(ev, '/cap/tok_en-1/cards/frame/com.example.hello')).toBe(false);
    expect(frameUrlMatches(ev, '/cap/tok_en-1/cards/frame/%E0%A4%A/1.0.0/x')).toBe(false);
  });
});

describe('parseKillEvent', () => {
  it('parseKillEvent_Object_ReadsFields', () => {
    expect(parseKillEvent([{ pluginId: 'a.b', version: null, reason: 'leaks data' }])).toEqual({ pluginId: 'a.b', version: null, reason: 'leaks data' });
    expect(parseKillEvent([{ pluginId: 'a.b', version: '1.2.3' }])).toEqual({ pluginId: 'a.b', version: '1.2.3', reason: '' });
  });
  it('parseKillEvent_Positional_ReadsArgs', () => {
    expect(parseKillEvent(['a.b', '1.0.0', 'why'])).toEqual({ pluginId: 'a.b', version: '1.0.0', reason: 'why' });
  });
  it('parseKillEvent_NoId_Null', () => {
    expect(parseKillEvent([{ version: '1.0.0' }])).toBeNull();
    expect(parseKillEvent([])).toBeNull();
  });
});

describe('killNotice', () => {
  it('killNotice_WithReason_NamesCardAndReason', () => {
    expect(killNotice('Hello card', ' compromised ')).toBe('Hello card was stopped by an admin: compromised');
    expect(killNotice('Hello card', '')).toBe('Hello card was stopped by an admin.');
  });
});

describe('retryDelay', () => {
  it('retryDelay_GrowsAndCaps', () => {
    expect(retryDelay(0)).toBe(1000);
    expect(retryDelay(2)).toBeGreaterThan(retryDelay(1));
    expect(retryDelay(100)).toBe(30000);
  });
});

describe('planKill', () => {
  const windows = [
    { ...win('w1', 'com.example.hello', '1.0.0'), title: 'Hello A' },
    { ...win('w2', 'com.example.hello', '1.1.0'), title: 'Hello B' },
    { ...win('w3', 'com.example.other', '1.0.0'), title: 'Other' },
  ];
  it('planKill_WholePlugin_StopsEachWindowOneNoticePerCardName', () => {
    const plan = planKill({ pluginId: 'com.example.hello', version: null, reason: 'bad' }, windows, () => 'Hello card');
    expect(plan.stops).toEqual([
      { windowId: 'w1', pluginId: 'com.example.hello', version: '1.0.0', cardName: 'Hello card' },
      { windowId: 'w2', pluginId: 'com.example.hello', version: '1.1.0', cardName: 'Hello card' },
    ]);
    expect(plan.notices).toEqual(['Hello card was stopped by an admin: bad']);
  });
  it('planKill_OneVersion_OnlyThatWindow', () => {
    const plan = planKill({ pluginId: 'com.example.hello', version: '1.1.0', reason: '' }, windows, (w) => w.title);
    expect(plan.stops.map((s) => s.windowId)).toEqual(['w2']);
    expect(plan.notices).toEqual(['Hello B was stopped by an admin.']);
  });
  it('planKill_NoOpenWindows_NothingToShow', () => {
    expect(planKill({ pluginId: 'x.y', version: null, reason: 'r' }, windows, (w) => w.title)).toEqual({ stops: [], notices: [] });
  });
});
