import { describe, expect, it } from 'vitest';
import { decode, describe as describeMessage, encode, type ShareInvitation } from '../src/protocol/messages.ts';
import { utf8 } from './helpers.ts';

const invitation: ShareInvitation = {
  type: 'ShareInvitation',
  version: 1,
  messageId: '0b0c6f0e-5b7a-4d3e-9a51-0c2f5c4d1e01',
  transferId: '7f1f2a4e-1c2b-4d5e-8f90-123456789abc',
  flow: 'stateless',
  format: 'digitalwallet.carkey.ccc',
  displayInformation: { title: 'Car key', description: 'The blue car', imageURL: 'https://images.example/car.png' },
  expiration: '2026-01-16T09:00:00.000Z',
  provisioningInformation: 'c2VjcmV0',
};

const without = (field: string) => Object.fromEntries(Object.entries(invitation).filter(([k]) => k !== field));

describe('protocol messages', () => {
  it('round-trips a valid invitation', () => {
    expect(decode(encode(invitation))).toEqual({ ok: true, message: invitation });
  });

  it('tolerates unknown top-level and displayInformation fields', () => {
    const extended = { ...invitation, 'x-future': { a: 1 }, displayInformation: { ...invitation.displayInformation, badge: 'gold' } };
    const decoded = decode(utf8(JSON.stringify(extended)));
    expect(decoded.ok).toBe(true);
  });

  it.each([
    ['expiration', without('expiration'), /^expiration:/],
    ['provisioningInformation', without('provisioningInformation'), /^provisioningInformation:/],
    ['a non RFC 3339 expiration', { ...invitation, expiration: 'tomorrow' }, /^expiration:/],
    ['an unknown flow', { ...invitation, flow: 'telepathic' }, /^flow:/],
    ['a transferId that is not a UUID', { ...invitation, transferId: '42' }, /^transferId:/],
    ['an empty title', { ...invitation, displayInformation: { title: '', description: '' } }, /^displayInformation\.title:/],
  ])('rejects an invitation with a problem in %s, naming the field', (_what, message, problem) => {
    const decoded = decode(utf8(JSON.stringify(message)));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.problem).toMatch(problem);
  });

  it('still reads the type and transfer id of a malformed message, so the receiver can answer', () => {
    const decoded = decode(utf8(JSON.stringify(without('expiration'))));
    expect(decoded).toMatchObject({ ok: false, type: 'ShareInvitation', transferId: invitation.transferId });
  });

  it('rejects bytes that are not UTF-8 JSON', () => {
    expect(decode(new Uint8Array([0xff, 0xfe, 0x00]))).toMatchObject({ ok: false, problem: 'not UTF-8 JSON' });
    expect(decode(utf8('{"type":'))).toMatchObject({ ok: false, problem: 'not UTF-8 JSON' });
  });

  it('requires a reason on a failed TransferComplete', () => {
    const complete = { type: 'TransferComplete', version: 1, messageId: invitation.messageId, transferId: invitation.transferId, status: 'failed' };
    expect(decode(utf8(JSON.stringify(complete)))).toMatchObject({ ok: false, problem: expect.stringMatching(/^reason:/) });
    expect(decode(utf8(JSON.stringify({ ...complete, reason: 'expired' }))).ok).toBe(true);
    expect(decode(utf8(JSON.stringify({ ...complete, status: 'provisioned' }))).ok).toBe(true);
  });

  it('describes messages for the trace without their provisioning information', () => {
    const summary = describeMessage(encode(invitation));
    expect(summary).toEqual({ message: 'ShareInvitation', transferId: invitation.transferId, messageId: invitation.messageId });
    expect(JSON.stringify(summary)).not.toContain(invitation.provisioningInformation);
  });
});
