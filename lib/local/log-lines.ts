/** The local stack's log lines: one readable line per request, invocation, management call or push. */
import type { AccessLogEntry } from './http-gateway.ts';
import type { LocalPush } from './push-sink.ts';
import type { WebSocketLogEntry } from './websocket-gateway.ts';

export function formatHttpEntry(entry: AccessLogEntry): string {
  return `HTTP ${entry.method} ${entry.path} ${entry.status} ${entry.durationMs}ms${entry.functionName ? ` (${entry.functionName})` : ''}`;
}

export function formatPush(push: LocalPush): string {
  const where = push.payload.room === undefined ? push.payload.conversationId : `#${push.payload.room}`;
  return `PUSH ${push.platform} ${push.username}/${push.deviceId} ${where} ${JSON.stringify(push.payload.title)}: ${JSON.stringify(push.payload.body)}`;
}

export function formatWebSocketEntry(entry: WebSocketLogEntry): string {
  const what = entry.kind === 'management' ? `@connections ${entry.method}` : (entry.routeKey ?? 'unrouted');
  return `WS   ${what} ${entry.connectionId} ${entry.status ?? '-'} ${entry.durationMs}ms`;
}
