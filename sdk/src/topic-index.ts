/**
 * Subscriptions indexed by pattern in a segment trie (one level per topic segment: a literal
 * child per segment text plus one `*` child), with a bounded cache of match results per concrete
 * topic. A match walks at most 2³ paths whatever the number of subscriptions; a cached topic
 * costs one `Map` lookup. Patterns are literal segments: plugin input never reaches `RegExp`.
 * The host's C# `TopicIndex<T>` is the same structure (`src/Labyrinth.Core/Messaging`).
 *
 * Results are ordered by priority (higher first), then by insertion. Returned arrays are frozen
 * and never mutated, so a caller may add or remove entries while iterating one.
 *
 * @example
 * ```ts
 * const index = new TopicIndex<string>();
 * index.add('timer:*:finished', 'any timer', 0);
 * index.add('timer:countdown:finished', 'countdown', 5);
 * index.match('timer:countdown:finished').map((e) => e.value); // ['countdown', 'any timer']
 * ```
 */
import { isTopic, isTopicPattern } from './topics.ts';

/** One indexed value with its delivery order. */
export interface IndexEntry<T> {
  readonly value: T;
  readonly priority: number;
  readonly order: number;
}

interface Node<T> {
  children?: Map<string, Node<T>>;
  wildcard?: Node<T>;
  items?: IndexEntry<T>[];
}

const EMPTY: readonly never[] = Object.freeze([]);

/** Distinct topics whose results are kept; past it the cache starts over. */
export const DEFAULT_CACHE_CAPACITY = 4096;

function byDelivery<T>(a: IndexEntry<T>, b: IndexEntry<T>): number {
  return a.priority !== b.priority ? b.priority - a.priority : a.order - b.order;
}

export class TopicIndex<T> {
  readonly #root: Node<T> = {};
  readonly #cache = new Map<string, readonly IndexEntry<T>[]>();
  readonly #cacheCapacity: number;
  #nextOrder = 0;
  #count = 0;

  constructor(cacheCapacity = DEFAULT_CACHE_CAPACITY) {
    if (!(cacheCapacity > 0)) throw new RangeError('cacheCapacity must be positive');
    this.#cacheCapacity = cacheCapacity;
  }

  /** Entries in the index. */
  get size(): number {
    return this.#count;
  }

  /** Topics whose results are cached now. */
  get cachedTopics(): number {
    return this.#cache.size;
  }

  /** Adds `value` under `pattern`; throws a `TypeError` for an invalid pattern. */
  add(pattern: string, value: T, priority = 0): void {
    if (!isTopicPattern(pattern)) throw new TypeError(`not a topic pattern: ${JSON.stringify(String(pattern).slice(0, 140))}`);
    let node = this.#root;
    for (const segment of pattern.split(':')) {
      if (segment === '*') node = node.wildcard ??= {};
      else {
        node.children ??= new Map();
        let child = node.children.get(segment);
        if (!child) node.children.set(segment, (child = {}));
        node = child;
      }
    }
    (node.items ??= []).push(Object.freeze({ value, priority, order: this.#nextOrder++ }));
    this.#count++;
    this.#cache.clear();
  }

  /** Removes the entry `value` added under `pattern`; false when absent. */
  remove(pattern: string, value: T): boolean {
    if (!isTopicPattern(pattern)) return false;
    if (!this.#remove(this.#root, pattern.split(':'), 0, value)) return false;
    this.#count--;
    this.#cache.clear();
    return true;
  }

  /** Entries matching the concrete `topic`, by priority then insertion; empty for an invalid topic. */
  match(topic: string): readonly IndexEntry<T>[] {
    const hit = this.#cache.get(topic);
    if (hit) return hit;
    if (!isTopic(topic)) return EMPTY;
    const found: IndexEntry<T>[] = [];
    collect(this.#root, topic.split(':'), 0, found);
    if (found.length > 1) found.sort(byDelivery);
    const result = found.length === 0 ? EMPTY : Object.freeze(found);
    if (this.#cache.size >= this.#cacheCapacity) this.#cache.clear();
    this.#cache.set(topic, result);
    return result;
  }

  #remove(node: Node<T>, segments: string[], depth: number, value: T): boolean {
    if (depth === segments.length) {
      const i = node.items?.findIndex((e) => e.value === value) ?? -1;
      if (i < 0) return false;
      node.items!.splice(i, 1);
      return true;
    }
    const segment = segments[depth]!;
    const child = segment === '*' ? node.wildcard : node.children?.get(segment);
    if (!child || !this.#remove(child, segments, depth + 1, value)) return false;
    // Prune emptied branches: a person subscribing to many distinct topics over time must not
    // leave a trie of dead nodes behind.
    if (!child.children?.size && !child.wildcard && !child.items?.length) {
      if (segment === '*') delete node.wildcard;
      else node.children!.delete(segment);
    }
    return true;
  }
}

function collect<T>(node: Node<T>, segments: string[], depth: number, found: IndexEntry<T>[]): void {
  if (depth === segments.length) {
    if (node.items) for (const e of node.items) found.push(e);
    return;
  }
  const literal = node.children?.get(segments[depth]!);
  if (literal) collect(literal, segments, depth + 1, found);
  if (node.wildcard) collect(node.wildcard, segments, depth + 1, found);
}
