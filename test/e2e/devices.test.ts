/**
 * Push devices over the local stack: registering, refreshing, listing (never the token), deleting, and the
 * per-user quota, which concurrent registrations cannot pass.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { deviceCountKey, userDevicesQuery } from '../../lambdas/data/keys.ts';
import { limits } from '../../lib/contract/index.ts';
import { expectContractError, ISO_TIME } from '../support/contract.ts';
import { apiClient, type Json } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { scanAll, tableReader } from '../support/table.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const api = apiClient(stack.httpUrl);
const reader = tableReader(stack.dynamoEndpoint);
afterAll(() => reader.destroy());

const register = (
  token: string,
  deviceId: string,
  body: Json = { platform: 'apns', token: 'a'.repeat(64) },
) => api.call('PUT', `/me/devices/${deviceId}`, { token, body });
const list = async (token: string) => {
  const response = await api.call('GET', '/me/devices', { token });
  expect(response.status).toBe(200);
  return response.body.devices as Json[];
};

describe('push devices', () => {
  it('are registered, refreshed in place, listed without their tokens, and deleted', async () => {
    const user = await api.signUp('devices');
    expect((await register(user.token, 'phone')).status).toBe(204);
    const [first] = await list(user.token);
    expect(first).toEqual({
      deviceId: 'phone',
      platform: 'apns',
      registeredAt: expect.stringMatching(ISO_TIME),
      updatedAt: expect.stringMatching(ISO_TIME),
    });

    expect((await register(user.token, 'phone', { platform: 'fcm', token: 'new-token' })).status).toBe(204);
    const [refreshed] = await list(user.token);
    expect(refreshed).toMatchObject({ deviceId: 'phone', platform: 'fcm', registeredAt: first.registeredAt });
    expect(refreshed.updatedAt >= first.updatedAt).toBe(true);
    expect(JSON.stringify(refreshed)).not.toContain('new-token');

    expect((await api.call('DELETE', '/me/devices/phone', { token: user.token })).status).toBe(204);
    expect(await list(user.token)).toEqual([]);
    // Deleting again changes nothing.
    expect((await api.call('DELETE', '/me/devices/phone', { token: user.token })).status).toBe(204);
  });

  it('refuses bad input and changes nothing', async () => {
    const user = await api.signUp('devbad');
    for (const body of [
      { platform: 'sms', token: 't' },
      { platform: 'fcm', token: '' },
      { platform: 'fcm' },
    ]) {
      const response = await register(user.token, 'phone', body);
      expect(response.status).toBe(400);
      expectContractError(response);
    }
    expect((await register(user.token, 'x'.repeat(65))).status).toBe(400);
    expect(await list(user.token)).toEqual([]);
  });

  it('are at most 10 per user, even registered all at once; a deleted one frees its place', async () => {
    const user = await api.signUp('devquota');
    const ids = Array.from({ length: limits.maxDevicesPerUser + 3 }, (_, n) => `device-${n}`);
    const answers = await Promise.all(ids.map((id) => register(user.token, id)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 204)).toHaveLength(limits.maxDevicesPerUser);
    for (const refused of answers.filter((answer) => answer.status !== 204)) {
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('QUOTA_EXCEEDED');
    }
    const devices = await list(user.token);
    expect(devices).toHaveLength(limits.maxDevicesPerUser);
    // Refreshing a registered device is no new one.
    expect((await register(user.token, devices[0].deviceId)).status).toBe(204);
    expect((await register(user.token, 'one-more')).status).toBe(403);
    await api.call('DELETE', `/me/devices/${devices[0].deviceId}`, { token: user.token });
    expect((await register(user.token, 'one-more')).status).toBe(204);
    // Another user's quota is their own.
    const other = await api.signUp('devother');
    expect((await register(other.token, 'phone')).status).toBe(204);
  });

  it('go with the account: a deleted account leaves no device behind to push to', async () => {
    const user = await api.signUp('devgone');
    expect((await register(user.token, 'phone')).status).toBe(204);
    expect((await register(user.token, 'tablet')).status).toBe(204);

    const deleted = await api.call('DELETE', '/auth/me', {
      token: user.token,
      body: { password: user.password },
    });
    expect(deleted.status).toBe(204);

    const { PK, SKPrefix } = userDevicesQuery(user.username);
    const left = (await scanAll(reader, stack.tableName)).filter(
      (item) =>
        item.PK === PK &&
        (String(item.SK).startsWith(SKPrefix) || item.SK === deviceCountKey(user.username).SK),
    );
    expect(left.filter((item) => String(item.SK).startsWith(SKPrefix))).toEqual([]);
    expect(left.every((item) => item.deviceCount === 0)).toBe(true);
  });
});
