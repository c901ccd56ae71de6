/**
 * A typed client of the chat backend's public contract (PROTOCOL.md): `ChatApi` for the HTTP API,
 * `ChatSession` for the WebSocket API. It imports nothing from the server: it speaks only the contract.
 */
export * from './errors.ts';
export * from './http.ts';
export { newClientMessageId } from './message-frame.ts';
export type { ReconnectOptions } from './reconnect-policy.ts';
export * from './session.ts';
export type * from './session-events.ts';
export type * from './types.ts';
