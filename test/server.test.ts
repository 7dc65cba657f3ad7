import { describe, expect, it } from 'vitest';
import { IdentityKeyPair, PrivateKey } from '@signalapp/libsignal-client';
import { aliceAndBob, request } from './helpers.ts';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function messageTo(bob: { device: { deviceId: number; registrationId: number } }, content = b64(new Uint8Array([1, 2, 3]))) {
  return {
    messages: [{ type: 1, destinationDeviceId: bob.device.deviceId, destinationRegistrationId: bob.device.registrationId, content }],
    timestamp: 1,
    online: false,
    urgent: true,
  };
}

describe('simulated Signal server: HTTP status codes', () => {
  it('answers 401 without credentials or with a wrong password', async () => {
    const { sim, bob } = await aliceAndBob();
    expect((await request(sim, 'GET', `/v2/keys/${bob.device.aci}/*`)).status).toBe(401);
    expect((await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, { body: messageTo(bob) })).status).toBe(401);
    const wrong = await fetch(`${sim.baseUrl}/v2/keys`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from(`${bob.device.aci}.1:nope`).toString('base64')}` },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
  });

  // Signal-Server: Dropwizard maps JSON it cannot bind (JsonProcessingExceptionMapper) to 400, and
  // bean-validation failures of a request body (JerseyViolationExceptionMapper) to 422 with {errors}.
  it('answers 400 for JSON it cannot bind and 422 for constraint violations, naming the field', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const put = (body: unknown) => request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, { as: alice, body });
    const notJson = await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, { as: alice, rawBody: '{"messages": [' });
    expect(notJson).toMatchObject({ status: 400, json: { code: 400, message: 'Body is not valid JSON' } });
    const badKeys = await request(sim, 'PUT', '/v2/keys', { as: alice, body: { preKeys: [{ keyId: 'one', publicKey: 'x' }] } });
    expect(badKeys).toMatchObject({ status: 400, json: { code: 400 } });
    expect(badKeys.json.message).toMatch(/^preKeys\.0\.keyId:/);
    const notBase64 = await put(messageTo(bob, 'not base64!'));
    expect(notBase64.status).toBe(400);
    expect(notBase64.json.message).toMatch(/^messages\.0\.content:/);
    const notAKey = await request(sim, 'PUT', '/v2/keys', { as: alice, body: { preKeys: [{ keyId: 1, publicKey: b64(new Uint8Array(12)) }] } });
    expect(notAKey).toMatchObject({ status: 400, json: { message: 'preKeys[0]: not a valid EC public key' } });
    // Constraint violations (@NotNull, @Size, @AssertTrue isValidEnvelopeType) are 422.
    const noMessages = await put({ timestamp: 1 });
    expect(noMessages.status).toBe(422);
    expect(noMessages.json.errors[0]).toMatch(/^messages:/);
    const badType = messageTo(bob);
    (badType.messages[0] as { type: number }).type = 99;
    const typed = await put(badType);
    expect(typed.status).toBe(422);
    expect(typed.json.errors[0]).toMatch(/^messages\.0\.type:/);
    const empty = await put(messageTo(bob, ''));
    expect(empty.status).toBe(422);
    expect(empty.json.errors[0]).toMatch(/^messages\.0\.content:/);
    const tooMany = await request(sim, 'PUT', '/v2/keys', { as: alice, body: { preKeys: Array.from({ length: 101 }, (_, i) => ({ keyId: i, publicKey: 'AA==' })) } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.errors[0]).toMatch(/^preKeys:/);
  });

  // Signal-Server: IncomingMessageList.hasNoDuplicateRecipients (@AssertTrue), 422 before any delivery.
  it('answers 422 to a message list naming the same device twice, and queues nothing', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    bob.device.goOffline();
    const body = messageTo(bob);
    body.messages.push({ ...body.messages[0]! });
    const res = await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, { as: alice, body });
    expect(res.status).toBe(422);
    expect(res.json.errors[0]).toMatch(/destinationDeviceId 1 .*twice/);
    expect(sim.server.queued(bob.device.aci, 1)).toBe(0);
  });

  // Signal-Server: AciServiceIdentifier.valueOf and AccountAuthenticator parse with UUID.fromString,
  // which takes upper-case hex: the same account, wherever an ACI is named.
  it('takes an upper-case ACI in a path and in the credentials as the same account', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const upper = bob.device.aci.toUpperCase();
    expect((await request(sim, 'HEAD', `/v1/accounts/account/${upper}`)).status).toBe(200);
    expect((await request(sim, 'GET', `/v2/keys/${upper}/*`, { as: alice })).status).toBe(200);
    bob.device.goOffline();
    expect((await request(sim, 'PUT', `/v1/messages/${upper}`, { as: alice, body: messageTo(bob) })).status).toBe(200);
    expect(sim.server.queued(bob.device.aci, 1)).toBe(1);
    const password = Buffer.from(alice.device.authorizationHeader.slice(6), 'base64').toString('utf8').split(':')[1];
    const res = await fetch(`${sim.baseUrl}/v1/messages/${bob.device.aci}`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from(`${alice.device.aci.toUpperCase()}.1:${password}`).toString('base64')}` },
      body: JSON.stringify(messageTo(bob)),
    });
    expect(res.status).toBe(200);
    expect(sim.server.queued(bob.device.aci, 1)).toBe(2);
    // The virtual phone's Signal app parses an ACI as Signal's does: one account, one session.
    expect((await alice.device.send(upper, new TextEncoder().encode('hi'))).to).toBe(bob.device.aci);
    // The network's faults name accounts by ACI too: a fault for Bob applies whatever the case.
    sim.faults.add({ kind: 'http-error', status: 503 }, { to: bob.device.aci });
    expect((await request(sim, 'PUT', `/v1/messages/${upper}`, { as: alice, body: messageTo(bob) })).status).toBe(503);
  });

  // Signal-Server: SetKeysRequest has no identity key (KeysController.setKeys checks the signed
  // prekeys against the account's, answering 422 "Invalid signature"); registration sets it.
  it('keeps the identity key through a keys upload: only a registration replaces it', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const identityOf = async (phone: typeof alice) => (await request(sim, 'GET', `/v2/keys/${phone.device.aci}/*`, { as: bob })).json.identityKey;
    const original = b64(alice.device.identity.publicKey.serialize());
    expect(await identityOf(alice)).toBe(original);
    const other = IdentityKeyPair.generate();
    const key = PrivateKey.generate().getPublicKey().serialize();
    const signedByOther = { keyId: 7, publicKey: b64(key), signature: b64(other.privateKey.sign(key)) };
    const replaced = await request(sim, 'PUT', '/v2/keys', {
      as: alice,
      body: { identityKey: b64(other.publicKey.serialize()), signedPreKey: signedByOther },
    });
    expect(replaced.status).toBe(422);
    expect(replaced.json.message).toMatch(/^signedPreKey: signature does not verify/);
    const unsigned = await request(sim, 'PUT', '/v2/keys', {
      as: alice,
      body: { identityKey: b64(other.publicKey.serialize()), preKeys: [{ keyId: 9, publicKey: b64(key) }] },
    });
    expect(unsigned.status).toBe(200); // the identityKey field is ignored, as an unknown property
    expect(await identityOf(alice)).toBe(original);
    await sim.reregister('Alice'); // a reinstall: the registration carries the new identity key
    expect(await identityOf(alice)).toBe(b64(alice.device.identity.publicKey.serialize()));
    expect(await identityOf(alice)).not.toBe(original);
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    const { sim, alice } = await aliceAndBob();
    expect((await request(sim, 'GET', '/v9/nothing', { as: alice })).status).toBe(404);
    expect((await request(sim, 'DELETE', '/v2/keys', { as: alice })).status).toBe(405);
  });

  it('answers 422 when a signed prekey signature does not verify', async () => {
    const { sim, alice } = await aliceAndBob();
    const key = PrivateKey.generate().getPublicKey().serialize();
    const forged = PrivateKey.generate().sign(key); // signed by a key that is not the identity key
    const res = await request(sim, 'PUT', '/v2/keys', {
      as: alice,
      body: { signedPreKey: { keyId: 2, publicKey: b64(key), signature: b64(forged) } },
    });
    expect(res.status).toBe(422);
    expect(res.json.message).toMatch(/^signedPreKey: signature does not verify/);
  });

  it('answers 404 for keys of and messages to an unknown or unregistered account', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const stranger = '11111111-2222-4333-8444-555555555555';
    expect((await request(sim, 'GET', `/v2/keys/${stranger}/*`, { as: alice })).status).toBe(404);
    sim.server.unregister(bob.device.aci);
    expect((await request(sim, 'GET', `/v2/keys/${bob.device.aci}/*`, { as: alice })).status).toBe(404);
    expect((await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, { as: alice, body: messageTo(bob) })).status).toBe(404);
    expect((await request(sim, 'HEAD', `/v1/accounts/account/${bob.device.aci}`)).status).toBe(404);
  });

  it('answers 409 with missing and extra devices', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    sim.server.addDevice(bob.device.aci, 99);
    const body = messageTo(bob);
    body.messages.push({ ...body.messages[0]!, destinationDeviceId: 5 });
    const res = await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, { as: alice, body });
    expect(res).toMatchObject({ status: 409, json: { missingDevices: [2], extraDevices: [5] } });
  });

  it('answers 410 with stale devices when a registration id does not match', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const body = messageTo(bob);
    body.messages[0]!.destinationRegistrationId = (bob.device.registrationId % 0x3fff) + 1;
    const res = await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, { as: alice, body });
    expect(res).toMatchObject({ status: 410, json: { staleDevices: [1] } });
  });

  it('answers 413 for content over 96 KiB, and 200 at the limit', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const over = await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, {
      as: alice,
      body: messageTo(bob, b64(new Uint8Array(96 * 1024 + 1))),
    });
    expect(over.status).toBe(413);
    const at = await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, { as: alice, body: messageTo(bob, b64(new Uint8Array(96 * 1024))) });
    expect(at).toMatchObject({ status: 200, json: { needsSync: false } });
  });

  it('finds accounts by phone number (the CDSI stand-in) and by ACI', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    expect(await request(sim, 'GET', `/v1/sim/discovery/${bob.device.number}`, { as: alice })).toMatchObject({
      status: 200,
      json: { aci: bob.device.aci },
    });
    expect((await request(sim, 'GET', '/v1/sim/discovery/+15550000000', { as: alice })).status).toBe(404);
    expect((await request(sim, 'HEAD', `/v1/accounts/account/${bob.device.aci}`)).status).toBe(200);
  });
});

describe('simulated Signal server: prekeys', () => {
  it('consumes one EC and one Kyber one-time key per fetch, then falls back to the last-resort Kyber key', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const ec: Array<number | undefined> = [];
    const kyber: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(sim, 'GET', `/v2/keys/${bob.device.aci}/1`, { as: alice });
      expect(res.status).toBe(200);
      ec.push(res.json.devices[0].preKey?.keyId);
      kyber.push(res.json.devices[0].pqPreKey.keyId);
    }
    expect(ec).toEqual([1, 2, 3, undefined, undefined]); // a device uploads 3 EC keys
    expect(kyber).toEqual([1, 2, 2, 2, 2]); // and 1 one-time Kyber key; 2 is the last-resort key
  });

  // Signal-Server KeysController.getStatus: GET /v2/keys, authenticated, answers PreKeyCount
  // {count, pqCount} (EC and one-time Kyber keys, the last-resort key not counted), else 401.
  it('tells a device how many one-time keys it has left (GET /v2/keys), and nobody else', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    expect(await request(sim, 'GET', '/v2/keys', { as: bob })).toMatchObject({ status: 200, json: { count: 3, pqCount: 1 } });
    await request(sim, 'GET', `/v2/keys/${bob.device.aci}/1`, { as: alice });
    await request(sim, 'GET', `/v2/keys/${bob.device.aci}/1`, { as: alice });
    expect((await request(sim, 'GET', '/v2/keys', { as: bob })).json).toEqual({ count: 1, pqCount: 0 });
    expect((await request(sim, 'GET', '/v2/keys', { as: alice })).json).toEqual({ count: 3, pqCount: 1 });
    expect((await request(sim, 'GET', '/v2/keys')).status).toBe(401);
    sim.unregister('Bob');
    expect((await request(sim, 'GET', '/v2/keys', { as: bob })).status).toBe(401);
  });

  it('a device uploads new one-time keys after a PreKey message when the server says a kind ran out, and decrypts sessions made from them', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const senders = [alice, await sim.addPhone('Carol'), await sim.addPhone('Dave'), await sim.addPhone('Erin')];
    const counts = [];
    for (const sender of senders) {
      await sender.device.send(bob.device.aci, new TextEncoder().encode(`hello from ${sender.owner}`));
      await sim.settle();
      counts.push((await request(sim, 'GET', '/v2/keys', { as: bob })).json);
    }
    // Each session takes an EC key and the one-time Kyber key; Bob's phone uploads a Kyber key
    // each time (Kyber keys 3, 4, 5 after the last-resort 2) and 3 EC keys once they ran out (4-6).
    expect(counts).toEqual([
      { count: 2, pqCount: 1 },
      { count: 1, pqCount: 1 },
      { count: 3, pqCount: 1 },
      { count: 2, pqCount: 1 },
    ]);
    expect(sim.trace.find('server.keys-set', (e) => e.device === bob.device.label).map((e) => [e.preKeys, e.pqPreKeys])).toEqual([
      [3, 1],
      [2, 1],
      [1, 1],
      [3, 1],
      [2, 1],
    ]);
    // Carol's, Dave's and Erin's sessions were made from refilled keys: Bob's phone kept their private halves.
    expect(bob.device.plaintexts.map((p) => new TextDecoder().decode(p.bytes))).toEqual(senders.map((s) => `hello from ${s.owner}`));
    const next = (await request(sim, 'GET', `/v2/keys/${bob.device.aci}/1`, { as: alice })).json.devices[0];
    expect([next.preKey.keyId, next.pqPreKey.keyId]).toEqual([5, 6]);
  });
});

describe('simulated Signal server: queues, acknowledgements, redelivery', () => {
  it('keeps an envelope until it is acknowledged and delivers it again after a lost ack', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const got: string[] = [];
    bob.device.api.onMessage((m) => void got.push(new TextDecoder().decode(m.bytes)));
    sim.faults.add({ kind: 'lose-ack' }, { to: bob.device.aci });
    await alice.device.send(bob.device.aci, new TextEncoder().encode('hello'));
    await sim.settle();
    expect(got).toEqual(['hello']);
    expect(sim.server.queued(bob.device.aci, 1)).toBe(1); // the ack was lost
    bob.device.goOffline();
    bob.device.goOnline();
    await sim.settle();
    expect(sim.trace.find('server.delivered', (e) => e.to === bob.device.label)).toHaveLength(2);
    expect(sim.trace.find('device.duplicate-dropped')).toHaveLength(1);
    expect(got).toEqual(['hello']); // the app saw it once
    expect(sim.server.queued(bob.device.aci, 1)).toBe(0);
  });

  it("holds an offline device's queue in order until it connects", async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const got: string[] = [];
    bob.device.api.onMessage((m) => void got.push(new TextDecoder().decode(m.bytes)));
    bob.device.goOffline();
    for (const word of ['one', 'two', 'three']) await alice.device.send(bob.device.aci, new TextEncoder().encode(word));
    await sim.settle();
    expect(got).toEqual([]);
    expect(sim.server.queued(bob.device.aci, 1)).toBe(3);
    bob.device.goOnline();
    await sim.settle();
    expect(got).toEqual(['one', 'two', 'three']);
    expect(sim.server.queued(bob.device.aci, 1)).toBe(0);
  });

  it("deletes an account's queues when it unregisters", async () => {
    const { sim, alice, bob } = await aliceAndBob();
    bob.device.goOffline();
    await alice.device.send(bob.device.aci, new TextEncoder().encode('never read'));
    expect(sim.server.queued(bob.device.aci, 1)).toBe(1);
    sim.server.unregister(bob.device.aci);
    expect(sim.server.queued(bob.device.aci, 1)).toBe(0);
    expect(() => bob.device.goOnline()).toThrow(/Connection refused/);
  });
});

describe('simulated Signal server: reorder windows', () => {
  it('releases a window spanning several recipients onto each recipient\'s own queue', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const carol = await sim.addPhone('Carol');
    const got: string[] = [];
    bob.device.api.onMessage((m) => void got.push(`bob: ${new TextDecoder().decode(m.bytes)}`));
    carol.device.api.onMessage((m) => void got.push(`carol: ${new TextDecoder().decode(m.bytes)}`));
    sim.faults.add({ kind: 'reorder', count: 2, order: 'reverse' }, { from: alice.device.aci });
    await alice.device.send(bob.device.aci, new TextEncoder().encode('one'));
    await alice.device.send(carol.device.aci, new TextEncoder().encode('two'));
    await sim.settle();
    expect(got.sort()).toEqual(['bob: one', 'carol: two']);
  });
});
