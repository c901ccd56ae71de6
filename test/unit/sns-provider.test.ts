/**
 * The SNS push provider against a fake SNS: SNS cannot be reached from the tests, and an endpoint the provider
 * disabled (EndpointDisabled) or one deleted behind the service's back (NotFound) cannot be produced on demand.
 */
import { describe, expect, it } from 'vitest';
import type { StoredDevice } from '../../lambdas/data/devices.ts';
import { type SnsApi, snsMessage, snsProvider } from '../../lambdas/domain/push-providers.ts';
import type { PushPayload } from '../../lib/contract/index.ts';

const APNS_ARN = 'arn:aws:sns:us-east-1:123456789012:app/APNS/chat';
const payload: PushPayload = { title: 'alice', body: 'hi', conversationId: 'c_x', messageId: 'm1', badge: 0 };
const device = (overrides: Partial<StoredDevice> = {}): StoredDevice => ({
  username: 'bob',
  deviceId: 'phone',
  platform: 'apns',
  token: 'token-1',
  registeredAt: '2026-11-29T00:00:00.000Z',
  updatedAt: '2026-11-29T00:00:00.000Z',
  ...overrides,
});

function fakeSns(faults: { publish?: string[] } = {}) {
  const calls: [string, Record<string, unknown>][] = [];
  const publishFaults = [...(faults.publish ?? [])];
  let endpoints = 0;
  const sns: SnsApi = {
    async createPlatformEndpoint(input) {
      calls.push(['create', input]);
      return { EndpointArn: `${APNS_ARN}/endpoint-${++endpoints}` };
    },
    async setEndpointAttributes(input) {
      calls.push(['set', input]);
    },
    async deleteEndpoint(input) {
      calls.push(['delete', input]);
    },
    async publish(input) {
      calls.push(['publish', input]);
      const fault = publishFaults.shift();
      if (fault !== undefined) throw Object.assign(new Error(fault), { name: fault });
    },
  };
  const saved: unknown[] = [];
  const provider = snsProvider({
    sns,
    platformArns: { apns: APNS_ARN },
    saveEndpoint: async (_device, endpoint) => saved.push(endpoint),
  });
  return { provider, calls, saved };
}

describe('the SNS push provider', () => {
  it('makes one endpoint for a new device, keeps it, and publishes to it', async () => {
    const { provider, calls, saved } = fakeSns();
    expect(await provider.send(device(), payload)).toBe('sent');
    expect(calls.map(([name]) => name)).toEqual(['create', 'publish']);
    expect(calls[0]?.[1]).toMatchObject({ PlatformApplicationArn: APNS_ARN, Token: 'token-1' });
    expect(saved).toEqual([{ arn: `${APNS_ARN}/endpoint-1`, token: 'token-1', platform: 'apns' }]);
    expect(calls[1]?.[1]).toEqual({
      TargetArn: `${APNS_ARN}/endpoint-1`,
      Message: snsMessage(payload),
      MessageStructure: 'json',
    });
  });

  it('reuses the endpoint, and sets a changed token on it (enabled again)', async () => {
    const { provider, calls, saved } = fakeSns();
    const endpoint = { arn: `${APNS_ARN}/old`, token: 'token-0', platform: 'apns' as const };
    expect(await provider.send(device({ endpoint: { ...endpoint, token: 'token-1' } }), payload)).toBe(
      'sent',
    );
    expect(calls.map(([name]) => name)).toEqual(['publish']);
    calls.length = 0;
    expect(await provider.send(device({ endpoint }), payload)).toBe('sent');
    expect(calls.map(([name]) => name)).toEqual(['set', 'publish']);
    expect(calls[0]?.[1]).toEqual({
      EndpointArn: endpoint.arn,
      Attributes: { Token: 'token-1', Enabled: 'true' },
    });
    expect(saved).toEqual([{ ...endpoint, token: 'token-1' }]);
  });

  it('deletes the endpoint SNS reports disabled, and says the device is gone', async () => {
    const { provider, calls } = fakeSns({ publish: ['EndpointDisabledException'] });
    const endpoint = { arn: `${APNS_ARN}/old`, token: 'token-1', platform: 'apns' as const };
    expect(await provider.send(device({ endpoint }), payload)).toBe('gone');
    expect(calls.map(([name]) => name)).toEqual(['publish', 'delete']);
    expect(calls[1]?.[1]).toEqual({ EndpointArn: endpoint.arn });
  });

  it('makes a new endpoint when the kept one was deleted outside the service', async () => {
    const { provider, calls } = fakeSns({ publish: ['NotFoundException'] });
    const endpoint = { arn: `${APNS_ARN}/old`, token: 'token-1', platform: 'apns' as const };
    expect(await provider.send(device({ endpoint }), payload)).toBe('sent');
    expect(calls.map(([name]) => name)).toEqual(['publish', 'create', 'publish']);
  });

  it('throws other faults, so that the record is retried', async () => {
    const { provider } = fakeSns({ publish: ['ThrottledException'] });
    await expect(provider.send(device(), payload)).rejects.toThrow('ThrottledException');
  });

  it('sends nothing to a platform without a platform application', async () => {
    const { provider, calls } = fakeSns();
    expect(await provider.send(device({ platform: 'fcm' }), payload)).toBe('unconfigured');
    expect(calls).toEqual([]);
  });

  it('writes one message for APNs and FCM', () => {
    const message = JSON.parse(snsMessage(payload));
    expect(JSON.parse(message.APNS)).toEqual({
      aps: { alert: { title: 'alice', body: 'hi' }, badge: 0, sound: 'default' },
      conversationId: 'c_x',
      messageId: 'm1',
    });
    expect(message.APNS_SANDBOX).toBe(message.APNS);
    expect(JSON.parse(message.GCM)).toEqual({
      notification: { title: 'alice', body: 'hi' },
      data: { conversationId: 'c_x', messageId: 'm1', badge: '0' },
    });
  });
});
