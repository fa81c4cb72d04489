// Plugin storage from the page's side (docs/api.md "Plugin storage"): the request a card's or a
// service's `storage` message becomes, and how the server's refusals reach the frame.
import { ApiError } from '../api/errors';
import { BridgeError, type BridgeErrorCode } from '../bridge/card-host';
import type { StorageRequest } from '../bridge/types';

/** The body of `POST …/storage`: the validated message without its id and measured size. */
export function storageBody(req: StorageRequest): Record<string, unknown> {
  switch (req.op) {
    case 'get': return { op: 'get', scope: req.scope, key: req.key };
    case 'list': return { op: 'list', scope: req.scope, prefix: req.prefix };
    case 'delete': return { op: 'delete', scope: req.scope, key: req.key, ...(req.ifVersion === undefined ? {} : { ifVersion: req.ifVersion }) };
    case 'set': return { op: 'set', scope: req.scope, key: req.key, value: req.value, ...(req.ifVersion === undefined ? {} : { ifVersion: req.ifVersion }) };
  }
}

const PASSED_ON: Readonly<Record<string, BridgeErrorCode>> = {
  'storage.invalid': 'storage.invalid',
  'storage.too_large': 'storage.too_large',
  'storage.quota_exceeded': 'storage.quota_exceeded',
  'storage.version_conflict': 'storage.version_conflict',
  'storage.not_granted': 'not_granted',
  'grant.not_requested': 'not_requested',
};

/**
 * The {@link BridgeError} a failed storage call becomes: the server's storage codes and its
 * sentence (written for people, no secrets) pass through; anything else is `upstream_failed`.
 */
export function storageError(e: unknown, signal?: AbortSignal): BridgeError {
  if (e instanceof BridgeError) return e;
  if (signal?.aborted) return new BridgeError('cancelled');
  if (e instanceof ApiError) {
    const code = PASSED_ON[e.code];
    if (code) return new BridgeError(code, e.detail || undefined);
    if (e.status === 403) return new BridgeError('not_granted', e.detail || undefined);
  }
  return new BridgeError('upstream_failed', 'The storage request failed on the server.');
}
