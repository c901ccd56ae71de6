import { App } from 'aws-cdk-lib';
import { ChatStack } from '../lib/chat-stack.ts';

const app = new App();

// Context (cdk.json or `-c key=value`):
//   stage      the WebSocket stage name, the last segment of WebSocketUrl (default 'prod').
//   ephemeral  'true' for a throw-away stack: the table is deleted with the stack instead of being retained,
//              e.g. `npx cdk deploy -c ephemeral=true` then `npx cdk destroy -c ephemeral=true`.
const stageName = String(app.node.tryGetContext('stage') ?? 'prod');
const ephemeral = String(app.node.tryGetContext('ephemeral') ?? 'false') === 'true';

new ChatStack(app, 'ServerlessChat', { stageName, retainData: !ephemeral });
