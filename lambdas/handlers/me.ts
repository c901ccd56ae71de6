import { AccountExportRepository } from '../data/account-export.ts';
import { createDocumentClient } from '../data/client.ts';
import { DeviceRepository } from '../data/devices.ts';
import { UserRepository } from '../data/users.ts';
import { exportAccount, exportPositionOf } from '../domain/account-export.ts';
import { me } from '../domain/accounts.ts';
import { deleteDevice, listDevices, registerDevice } from '../domain/devices.ts';
import { tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { buildAuthenticator } from './session-deps.ts';

const doc = createDocumentClient();
const deps = {
  users: new UserRepository(doc, tableName()),
  exports: new AccountExportRepository(doc, tableName()),
  devices: new DeviceRepository(doc, tableName()),
  now: () => new Date(),
};

// `me` also serves the HTTP API's fallback route; the wrapper answers it with the contract's 404.
export const handler = httpHandler(
  'me',
  {
    'GET /auth/me': async ({ identity }) => ({ status: 200, body: { user: await me(deps, identity) } }),
    'GET /auth/me/export': async ({ identity, query }) => ({
      status: 200,
      body: await exportAccount(deps, identity, query.limit, exportPositionOf(query.cursor)),
    }),
    'PUT /me/devices/{deviceId}': async ({ params, body, identity }) => {
      await registerDevice(deps, identity, params.deviceId, body);
      return { status: 204, body: undefined };
    },
    'DELETE /me/devices/{deviceId}': async ({ params, identity }) => {
      await deleteDevice(deps, identity, params.deviceId);
      return { status: 204, body: undefined };
    },
    'GET /me/devices': async ({ identity }) => ({
      status: 200,
      body: { devices: await listDevices(deps, identity) },
    }),
  },
  buildAuthenticator(doc),
);
