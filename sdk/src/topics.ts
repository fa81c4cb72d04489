/**
 * Pub/sub topic names and the one matcher the host page, the frame bootstrap and the mock host
 * share (docs/api.md "Topics"). A topic is `<domain>:<entity>:<action>`, each segment of
 * `[a-z0-9-]`, at most 128 characters; a subscribe pattern may use `*` as a whole segment.
 * Written without RegExp so plugin input never reaches a regular expression engine.
 *
 * @example
 * ```ts
 * topicMatches('timer:*:finished', 'timer:countdown:finished'); // true
 * topicMatches('timer:*', 'timer:countdown:finished');          // false: segment counts differ
 * ```
 */

export const MAX_TOPIC_LENGTH = 128;
export const TOPIC_SEGMENTS = 3;

function isSegment(s: string, allowWildcard: boolean): boolean {
  if (s.length === 0) return false;
  if (s === '*') return allowWildcard;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d; // a-z 0-9 -
    if (!ok) return false;
  }
  return true;
}

function segments(value: unknown, allowWildcard: boolean): string[] | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOPIC_LENGTH) return null;
  const parts = value.split(':');
  if (parts.length !== TOPIC_SEGMENTS) return null;
  return parts.every((p) => isSegment(p, allowWildcard)) ? parts : null;
}

/** A concrete topic (what `publish` takes): three segments, no wildcard. */
export function isTopic(value: unknown): value is string {
  return segments(value, false) !== null;
}

/** A subscribe pattern: a topic whose segments may also be `*`. */
export function isTopicPattern(value: unknown): value is string {
  return segments(value, true) !== null;
}

/** True when `topic` (concrete) is matched by `pattern`; false when either is malformed. */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = segments(pattern, true);
  const t = segments(topic, false);
  if (!p || !t) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== '*' && p[i] !== t[i]) return false;
  return true;
}

/**
 * True when every topic `inner` can match is also matched by `outer` — used to check that a
 * card subscribes only within what its manifest declares.
 */
export function patternCovers(outer: string, inner: string): boolean {
  const o = segments(outer, true);
  const i = segments(inner, true);
  if (!o || !i) return false;
  for (let k = 0; k < o.length; k++) if (o[k] !== '*' && o[k] !== i[k]) return false;
  return true;
}
