import { describe, expect, it } from 'vitest';
import type { AdminUserDto } from '../api/types';
import { deleteMessage } from './users.svelte';

const alice: AdminUserDto = { id: 'a', userName: 'alice', role: 'member', createdAt: '', disabled: false, boards: 3, assets: 1 };

describe('deleteMessage', () => {
  it('deleteMessage_SaysWhatGoesAndThatNothingIsHandedOn', () => {
    const m = deleteMessage(alice, false);
    expect(m).toContain('3 boards');
    expect(m).toContain('1 uploaded file,');
    expect(m).toContain('Nothing is handed to anyone else');
    expect(m).not.toContain('signed out');
  });
  it('deleteMessage_OwnAccount_SaysYouWillBeSignedOut', () => expect(deleteMessage({ ...alice, boards: 1 }, true)).toMatch(/1 board .*You will be signed out/));
});
