/**
 * The public contract of the chat backend, declared once: limits, field rules, objects, HTTP routes, WebSocket
 * actions and frames, error codes. A leaf: it imports nothing but zod. The server, the CDK route table, the
 * local stack, the client library, the document generators and the tests all import it; nothing restates it.
 */
export * from './errors.ts';
export * from './fields.ts';
export * from './http.ts';
export * from './http-devices.ts';
export * from './limits.ts';
export * from './objects.ts';
export * from './websocket.ts';
