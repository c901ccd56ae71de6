import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { SnsApi } from '../domain/push-providers.ts';

/**
 * The SNS mobile push calls the notifier makes, through a client made on the first push: a notifier that only
 * ever meets messages for connected users, or runs locally with the sink, never builds it.
 */
export function lazySnsApi(make: () => SNSClient = () => new SNSClient({})): SnsApi {
  let client: SNSClient | undefined;
  const sns = () => {
    client ??= make();
    return client;
  };
  return {
    createPlatformEndpoint: (input) => sns().send(new CreatePlatformEndpointCommand(input)),
    setEndpointAttributes: (input) => sns().send(new SetEndpointAttributesCommand(input)),
    deleteEndpoint: (input) => sns().send(new DeleteEndpointCommand(input)),
    publish: (input) => sns().send(new PublishCommand(input)),
  };
}
