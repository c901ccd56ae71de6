import type { SnsApi } from '../domain/push-providers.ts';

interface SnsModule {
  SNSClient: new (config: object) => { send(command: unknown): Promise<Record<string, unknown>> };
  CreatePlatformEndpointCommand: new (input: object) => unknown;
  SetEndpointAttributesCommand: new (input: object) => unknown;
  DeleteEndpointCommand: new (input: object) => unknown;
  PublishCommand: new (input: object) => unknown;
}

/**
 * The SNS client, made on the first push. `@aws-sdk/client-sns` is not (yet) a dependency of the repository:
 * the name is given as a variable so that the bundle leaves the import to Lambda's Node.js runtime, which ships
 * the AWS SDK v3. Once the package is added, import it statically here and bundle it like the other clients.
 */
export async function runtimeSnsApi(): Promise<SnsApi> {
  const moduleName = '@aws-sdk/client-sns';
  const sns = (await import(moduleName)) as SnsModule;
  const client = new sns.SNSClient({});
  return {
    createPlatformEndpoint: (input) => client.send(new sns.CreatePlatformEndpointCommand(input)),
    setEndpointAttributes: (input) => client.send(new sns.SetEndpointAttributesCommand(input)),
    deleteEndpoint: (input) => client.send(new sns.DeleteEndpointCommand(input)),
    publish: (input) => client.send(new sns.PublishCommand(input)),
  };
}

/** An SnsApi whose client is made on first use, so that a cold start loads nothing it does not need. */
export function lazySnsApi(make: () => Promise<SnsApi> = runtimeSnsApi): SnsApi {
  let api: Promise<SnsApi> | undefined;
  const get = () => {
    api ??= make();
    return api;
  };
  return {
    createPlatformEndpoint: async (input) => (await get()).createPlatformEndpoint(input),
    setEndpointAttributes: async (input) => (await get()).setEndpointAttributes(input),
    deleteEndpoint: async (input) => (await get()).deleteEndpoint(input),
    publish: async (input) => (await get()).publish(input),
  };
}
