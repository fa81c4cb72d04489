import type { MountPlugin } from '@labyrinth/sdk';

/** Always fails to mount: the host must show `mount_failed` and the frame a readable error. */
export const mountPlugin: MountPlugin = () => {
  throw new Error('boom on purpose');
};
