import {
  type DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { deviceCountKey, deviceKey, userDevicesQuery } from './keys.ts';
import { conditionally, transactWrite } from './transactions.ts';

/** A device as stored: the contract's fields, its token, and the SNS endpoint made for it (on AWS). */
export interface StoredDevice extends contract.Device {
  readonly username: string;
  readonly token: string;
  /** The SNS platform endpoint of the device, once the notifier made one, and the token and platform it holds. */
  readonly endpoint?: {
    readonly arn: string;
    readonly token: string;
    readonly platform: contract.PushPlatform;
  };
}

export interface DeviceRegistration {
  readonly username: string;
  readonly deviceId: string;
  readonly platform: contract.PushPlatform;
  readonly token: string;
}

/**
 * Push devices: one item per device in its user's partition, and a count item beside them. A new device is
 * written in one transaction with the count, on condition that the count is under the quota, so concurrent
 * registrations can never pass it; a registered device is refreshed in place and costs the count nothing.
 */
export class DeviceRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Registers the device, or refreshes its platform and token: 1 conditional UpdateItem when it exists, else 1
   * TransactWriteItems of 2 (the device, on condition that it is new; the count, on condition that it is under
   * `max`). Answers 'quota' when the user already has `max` devices.
   */
  async register(device: DeviceRegistration, at: string, max: number): Promise<'registered' | 'quota'> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      if (await this.refresh(device, at)) return 'registered';
      const outcome = await transactWrite(this.doc, [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...deviceKey(device.username, device.deviceId),
              type: 'Device',
              ...device,
              registeredAt: at,
              updatedAt: at,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: deviceCountKey(device.username),
            UpdateExpression: 'SET deviceCount = if_not_exists(deviceCount, :zero) + :one',
            ConditionExpression: 'attribute_not_exists(deviceCount) OR deviceCount < :max',
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max },
          },
        },
      ]);
      if (outcome.ok) return 'registered';
      if (outcome.failedConditions.includes(1)) return 'quota';
      // Registered concurrently by another call: refresh that one.
    }
    throw new Error('The device kept appearing and disappearing while it was registered');
  }

  private refresh(device: DeviceRegistration, at: string): Promise<boolean> {
    return conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deviceKey(device.username, device.deviceId),
          UpdateExpression: 'SET platform = :platform, #token = :token, updatedAt = :at',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':platform': device.platform, ':token': device.token, ':at': at },
        }),
      ),
    );
  }

  /**
   * Removes the device (absent or not) and, when it was there, takes it off the count: 1 TransactWriteItems of
   * 2, on condition that the device exists. Answers whether it was there.
   */
  async remove(username: string, deviceId: string): Promise<boolean> {
    const outcome = await transactWrite(this.doc, [
      {
        Delete: {
          TableName: this.tableName,
          Key: deviceKey(username, deviceId),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: deviceCountKey(username),
          UpdateExpression: 'ADD deviceCount :minusOne',
          ExpressionAttributeValues: { ':minusOne': -1 },
        },
      },
    ]);
    return outcome.ok;
  }

  /** Every device of a user, by device id: 1 Query (at most the quota's 10 items, a few KB). */
  async list(username: string): Promise<StoredDevice[]> {
    const { PK, SKPrefix } = userDevicesQuery(username);
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': SKPrefix },
      }),
    );
    return (output.Items ?? []).map(toStoredDevice);
  }

  /**
   * Records the SNS endpoint made for the device, for the token it was made with: 1 UpdateItem, on condition
   * that the device is still there (a device deleted meanwhile is not brought back). Answers whether it was.
   */
  async setEndpoint(device: StoredDevice, endpoint: NonNullable<StoredDevice['endpoint']>): Promise<boolean> {
    const input: UpdateCommandInput = {
      TableName: this.tableName,
      Key: deviceKey(device.username, device.deviceId),
      UpdateExpression: 'SET endpoint = :endpoint',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':endpoint': endpoint },
    };
    return conditionally(this.doc.send(new UpdateCommand(input)));
  }
}

export function toStoredDevice(item: Record<string, unknown>): StoredDevice {
  return {
    username: item.username as string,
    deviceId: item.deviceId as string,
    platform: item.platform as contract.PushPlatform,
    token: item.token as string,
    registeredAt: item.registeredAt as string,
    updatedAt: item.updatedAt as string,
    ...(item.endpoint === undefined ? {} : { endpoint: item.endpoint as StoredDevice['endpoint'] }),
  };
}
