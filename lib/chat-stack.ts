import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ChatFunctions } from './constructs/chat-function.ts';
import { ChatTable } from './constructs/chat-table.ts';
import { ChatHttpApi } from './constructs/http-api.ts';
import { JwtSigningKey } from './constructs/jwt-secret.ts';
import { ChatWebSocketApi } from './constructs/websocket-api.ts';

/** Options of the chat stack. */
export interface ChatStackProps extends StackProps {
  /** The WebSocket API's stage name (the last segment of `WebSocketUrl`), also named in descriptions. */
  readonly stageName: string;
  /**
   * Keep the table and its data when the stack is deleted. Turn off only for throw-away stacks.
   *
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * The whole chat backend: one table, one signing key, the functions of the route table, and the HTTP and
 * WebSocket APIs in front of them. The wiring comes from `lib/routes.ts`; this class only composes.
 */
export class ChatStack extends Stack {
  readonly table: ChatTable;
  readonly signingKey: JwtSigningKey;
  readonly functions: ChatFunctions;
  readonly httpApi: ChatHttpApi;
  readonly webSocketApi: ChatWebSocketApi;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, {
      description: `Serverless chat backend (stage ${props.stageName})`,
      ...props,
    });

    this.table = new ChatTable(this, 'Table', { retain: props.retainData ?? true });
    this.signingKey = new JwtSigningKey(this, 'JwtSigningKey');
    this.functions = new ChatFunctions(this, 'Functions', { table: this.table, signingKey: this.signingKey });
    this.httpApi = new ChatHttpApi(this, 'HttpApi', {
      functions: this.functions.byName,
      description: `Chat HTTP API (stage ${props.stageName})`,
    });
    this.webSocketApi = new ChatWebSocketApi(this, 'WebSocketApi', {
      functions: this.functions.byName,
      stageName: props.stageName,
      description: `Chat WebSocket API (stage ${props.stageName})`,
    });

    new CfnOutput(this, 'HttpApiUrl', {
      description: 'Base URL of the HTTP API (no trailing slash)',
      value: this.httpApi.url,
    });
    new CfnOutput(this, 'WebSocketUrl', {
      description: 'URL WebSocket clients connect to (add ?token=<jwt>)',
      value: this.webSocketApi.url,
    });
    new CfnOutput(this, 'TableName', { description: 'The DynamoDB table', value: this.table.tableName });
  }
}
