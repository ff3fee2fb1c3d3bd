/**
 * @module confd/api
 * What programs outside confd may use — the CLI, the upgrade manager, daemons: the socket
 * client, the subscriber library, the path model and the wire types. They never import
 * confd's internals.
 */
export { SocketClient, errorFromWire } from '../northbound/socket/client.js';
export { ConfigSubscriber, type ChangeEvent, type SubscriberOptions } from './subscriber.js';
export { formatPath, parsePath, childPath, isPathWithin, quoteKey, type PathSegment } from '../core/path.js';
export type { LeafChange, ChangeOp } from '../core/diff.js';
export type { JsonObject, JsonValue, JsonScalar } from '../core/tree.js';
export { ConfdError, type ErrorCode } from '../core/errors.js';
export { writeFileDurably, syncDirectory } from '../store/durable-file.js';
export type { NodeDescription, SchemaDescription } from '../schema/describe.js';
export { dataDir, type DataDir } from '../main/app-paths.js';
export { DataDirLock } from '../store/lock.js';
export { JsonLinesDecoder, encodeJsonLine } from '../northbound/socket/framing.js';
export { listenUnix, closeUnix } from '../northbound/socket/listener.js';
export { cloneJson, deepEqual, isObject } from '../core/tree.js';
export { escapeTerminal } from '../core/terminal.js';
