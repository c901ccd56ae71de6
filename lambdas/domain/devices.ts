import { type Device, limits, type PushPlatform } from '../../lib/contract/index.ts';
import type { ConversationRepository } from '../data/conversations.ts';
import type { DeviceRepository } from '../data/devices.ts';
import { ConversationNotFoundError, QuotaExceededError } from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';

export interface DeviceDeps {
  readonly devices: DeviceRepository;
  readonly now: () => Date;
}

/**
 * Registers one of the caller's devices for pushes, or refreshes its platform and token (the notifier updates
 * its provider endpoint on the next push). 1 UpdateItem for a known device; else 1 transaction of 2.
 * @throws QuotaExceededError when the caller already has the most devices allowed.
 */
export async function registerDevice(
  deps: DeviceDeps,
  identity: Identity,
  deviceId: string,
  registration: { platform: PushPlatform; token: string },
): Promise<void> {
  const outcome = await deps.devices.register(
    { username: identity.username, deviceId, ...registration },
    deps.now().toISOString(),
    limits.maxDevicesPerUser,
  );
  if (outcome === 'quota') {
    throw new QuotaExceededError(
      `At most ${limits.maxDevicesPerUser} devices may be registered: delete one first.`,
    );
  }
}

/** Stops pushes to one of the caller's devices (registered or not): 1 transaction of 2. */
export async function deleteDevice(deps: DeviceDeps, identity: Identity, deviceId: string): Promise<void> {
  await deps.devices.remove(identity.username, deviceId);
}

/** Removes every device of a user (their account is being deleted): 1 Query, then 1 transaction per device. */
export async function removeEveryDevice(deps: Pick<DeviceDeps, 'devices'>, username: string): Promise<void> {
  for (const device of await deps.devices.list(username)) {
    await deps.devices.remove(username, device.deviceId);
  }
}

/** The caller's devices, by device id, without their tokens: 1 Query. */
export async function listDevices(deps: DeviceDeps, identity: Identity): Promise<Device[]> {
  const stored = await deps.devices.list(identity.username);
  return stored.map(({ deviceId, platform, registeredAt, updatedAt }) => ({
    deviceId,
    platform,
    registeredAt,
    updatedAt,
  }));
}

/**
 * Mutes or unmutes a conversation for the caller: no push reaches them for its messages while it is muted.
 * 1 conditional UpdateItem of the caller's item of the conversation.
 * @throws ConversationNotFoundError when the caller is no participant of it.
 */
export async function setConversationMuted(
  deps: { readonly conversations: ConversationRepository },
  identity: Identity,
  conversationId: string,
  muted: boolean,
): Promise<{ conversationId: string; muted: boolean }> {
  if (!(await deps.conversations.setMuted(identity.username, conversationId, muted))) {
    throw new ConversationNotFoundError();
  }
  return { conversationId, muted };
}
