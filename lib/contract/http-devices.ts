import * as z from 'zod/mini';
import { DEVICE_ID_PATTERN, limits } from './limits.ts';
import { published } from './objects.ts';
import type { HttpRouteSpec } from './route-spec.ts';

const { deviceIdCharacters, deviceTokenCharacters, maxDevicesPerUser, maxPushBodyCharacters } = limits;

const deviceId = z.string({ error: 'must be a string' }).check(
  z.regex(DEVICE_ID_PATTERN, {
    error: `must be ${deviceIdCharacters.min} to ${deviceIdCharacters.max} characters of letters, digits, "_" and "-"`,
  }),
  z.meta({ minLength: deviceIdCharacters.min, maxLength: deviceIdCharacters.max }),
);

/** The push services a device can be reached through: Apple's (APNs) and Firebase Cloud Messaging. */
export const pushPlatforms = ['apns', 'fcm'] as const;
export type PushPlatform = (typeof pushPlatforms)[number];

const platform = z.enum(pushPlatforms, { error: 'must be "apns" or "fcm"' });

const deviceToken = z.string({ error: 'must be a string' }).check(
  z.minLength(deviceTokenCharacters.min, { error: 'must not be empty' }),
  z.maxLength(deviceTokenCharacters.max, {
    error: `must be at most ${deviceTokenCharacters.max} characters`,
  }),
  z.regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' }),
);

/** A registered device, as its owner sees it: the token itself is never answered. */
export const device = published(
  'Device',
  z.object({
    deviceId: z.string(),
    platform,
    registeredAt: z.string().check(z.meta({ format: 'date-time', description: 'First registration.' })),
    updatedAt: z
      .string()
      .check(z.meta({ format: 'date-time', description: 'The last registration or token change.' })),
  }),
);

/** What a push carries to the device (APNs `aps.alert` / FCM `notification` plus the ids as data). */
export const pushPayload = z.object({
  title: z.string(),
  body: z.string().check(z.maxLength(maxPushBodyCharacters)),
  conversationId: z.optional(z.string()),
  room: z.optional(z.string()),
  messageId: z.string(),
  badge: z.int(),
});
export type PushPayload = z.infer<typeof pushPayload>;
export type Device = z.infer<typeof device>;

const deviceParams = z.object({ deviceId });
const done = { description: 'Done: no body.' };

/** Push notifications: the caller's devices, and the conversations they muted. */
export const deviceRoutes = {
  'PUT /me/devices/{deviceId}': {
    method: 'PUT',
    path: '/me/devices/{deviceId}',
    auth: true,
    operationId: 'registerDevice',
    tag: 'push',
    summary: 'Register a device for push notifications, or refresh its token',
    description: `The device id is the app's, stable per installation; registering it again replaces its platform and token. At most ${maxDevicesPerUser} devices per user: one more is 403 \`QUOTA_EXCEEDED\` (delete one first).`,
    params: deviceParams,
    body: published('RegisterDeviceRequest', z.object({ platform, token: deviceToken })),
    responses: { 204: done },
    errors: ['QUOTA_EXCEEDED'],
  },
  'DELETE /me/devices/{deviceId}': {
    method: 'DELETE',
    path: '/me/devices/{deviceId}',
    auth: true,
    operationId: 'deleteDevice',
    tag: 'push',
    summary: 'Stop pushes to a device',
    description: 'Deleting a device that is not registered changes nothing and answers 204 too.',
    params: deviceParams,
    responses: { 204: done },
    errors: [],
  },
  'GET /me/devices': {
    method: 'GET',
    path: '/me/devices',
    auth: true,
    operationId: 'listDevices',
    tag: 'push',
    summary: 'List my registered devices, by device id',
    responses: {
      200: {
        schema: published('DeviceList', z.object({ devices: z.array(device) })),
        description: `Every device of the caller (at most ${maxDevicesPerUser}).`,
      },
    },
    errors: [],
  },
  'PATCH /conversations/{id}/settings': {
    method: 'PATCH',
    path: '/conversations/{id}/settings',
    auth: true,
    operationId: 'updateConversationSettings',
    tag: 'push',
    summary: 'Mute or unmute a conversation',
    description: 'A muted conversation sends the caller no push; messages still arrive on open sockets.',
    params: z.object({ id: z.string() }),
    body: published(
      'ConversationSettings',
      z.object({ muted: z.boolean({ error: 'must be true or false' }) }),
    ),
    responses: {
      200: {
        schema: published(
          'ConversationSettingsResponse',
          z.object({ conversationId: z.string(), muted: z.boolean() }),
        ),
        description: "The caller's settings of the conversation, as now stored.",
      },
    },
    errors: ['CONVERSATION_NOT_FOUND'],
  },
} as const satisfies Record<string, HttpRouteSpec>;
