import type { PushPayload, PushPlatform } from '../../lib/contract/index.ts';
import type { StoredDevice } from '../data/devices.ts';

/** What became of one push: sent, the device is gone for good (remove it), or its platform is not set up. */
export type PushOutcome = 'sent' | 'gone' | 'unconfigured';

/**
 * Where pushes go, chosen by configuration only (lambdas/shared/config.ts `pushProviderConfig`): Amazon SNS
 * mobile push on AWS, the local stack's sink locally. The notifier knows nothing else of either.
 */
export interface PushProvider {
  /** Sends one push; throws on a fault worth retrying (the stream record is then retried). */
  send(device: StoredDevice, payload: PushPayload): Promise<PushOutcome>;
}

/** The local stack's sink: each push is posted to `/_local/pushes` on the local HTTP port, which lists them. */
export function localSinkProvider(sinkUrl: string, fetchImpl: typeof fetch = fetch): PushProvider {
  return {
    async send(device, payload) {
      const response = await fetchImpl(sinkUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          deviceId: device.deviceId,
          username: device.username,
          platform: device.platform,
          payload,
        }),
      });
      if (!response.ok) throw new Error(`The local push sink answered ${response.status}`);
      return 'sent';
    },
  };
}

/** The SNS calls the provider makes, as the SDK's SNSClient commands take and answer them. */
export interface SnsApi {
  createPlatformEndpoint(input: {
    PlatformApplicationArn: string;
    Token: string;
    CustomUserData?: string;
  }): Promise<{ EndpointArn?: string }>;
  setEndpointAttributes(input: { EndpointArn: string; Attributes: Record<string, string> }): Promise<unknown>;
  deleteEndpoint(input: { EndpointArn: string }): Promise<unknown>;
  publish(input: { TargetArn: string; Message: string; MessageStructure: 'json' }): Promise<unknown>;
}

export interface SnsProviderDeps {
  readonly sns: SnsApi;
  /** The platform application of each platform; a platform without one gets no push. */
  readonly platformArns: Partial<Record<PushPlatform, string>>;
  /** Records the endpoint made for a device (lambdas/data/devices.ts `setEndpoint`). */
  readonly saveEndpoint: (
    device: StoredDevice,
    endpoint: NonNullable<StoredDevice['endpoint']>,
  ) => Promise<unknown>;
}

/** SNS names a disabled endpoint's fault so (the provider told SNS the token is no longer valid). */
const isEndpointDisabled = (error: unknown) =>
  ['EndpointDisabledException', 'EndpointDisabled'].includes((error as { name?: string })?.name ?? '');
const isNotFound = (error: unknown) =>
  ['NotFoundException', 'NotFound'].includes((error as { name?: string })?.name ?? '');

/**
 * Amazon SNS mobile push: one platform endpoint per device, made on its first push (CreatePlatformEndpoint) and
 * kept on the device; a token changed since is set on it (SetEndpointAttributes, which also enables it again);
 * a platform changed since gets a new endpoint. An endpoint SNS reports disabled is deleted and the device is
 * gone; one deleted behind our back is made again.
 */
export function snsProvider(deps: SnsProviderDeps): PushProvider {
  async function endpointOf(device: StoredDevice, platformArn: string): Promise<string> {
    const current = device.endpoint;
    if (current !== undefined && current.platform === device.platform) {
      if (current.token !== device.token) {
        await deps.sns.setEndpointAttributes({
          EndpointArn: current.arn,
          Attributes: { Token: device.token, Enabled: 'true' },
        });
        await deps.saveEndpoint(device, { ...current, token: device.token });
      }
      return current.arn;
    }
    if (current !== undefined) await deps.sns.deleteEndpoint({ EndpointArn: current.arn });
    const created = await deps.sns.createPlatformEndpoint({
      PlatformApplicationArn: platformArn,
      Token: device.token,
      CustomUserData: `${device.username}/${device.deviceId}`,
    });
    if (created.EndpointArn === undefined) throw new Error('SNS made an endpoint without an ARN');
    const endpoint = { arn: created.EndpointArn, token: device.token, platform: device.platform };
    await deps.saveEndpoint(device, endpoint);
    return endpoint.arn;
  }

  return {
    async send(device, payload) {
      const platformArn = deps.platformArns[device.platform];
      if (platformArn === undefined) return 'unconfigured';
      const message = { Message: snsMessage(payload), MessageStructure: 'json' } as const;
      let arn: string | undefined;
      try {
        try {
          arn = await endpointOf(device, platformArn);
          await deps.sns.publish({ TargetArn: arn, ...message });
        } catch (error) {
          if (!isNotFound(error)) throw error;
          // The endpoint was deleted outside the service: make a new one and send once more.
          arn = await endpointOf({ ...device, endpoint: undefined }, platformArn);
          await deps.sns.publish({ TargetArn: arn, ...message });
        }
        return 'sent';
      } catch (error) {
        if (!isEndpointDisabled(error)) throw error;
        if (arn !== undefined) await deps.sns.deleteEndpoint({ EndpointArn: arn });
        return 'gone';
      }
    },
  };
}

/** One message for every platform (`MessageStructure: json`): APNs' `aps` and FCM's `notification`, with the ids. */
export function snsMessage(payload: PushPayload): string {
  const { title, body, badge, ...ids } = payload;
  const apns = JSON.stringify({ aps: { alert: { title, body }, badge, sound: 'default' }, ...ids });
  return JSON.stringify({
    default: body,
    APNS: apns,
    APNS_SANDBOX: apns,
    GCM: JSON.stringify({
      notification: { title, body },
      data: Object.fromEntries(Object.entries({ ...ids, badge }).map(([key, value]) => [key, String(value)])),
    }),
  });
}
