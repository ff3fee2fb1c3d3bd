/**
 * @module confd/northbound/restconf/context
 * What a RESTCONF resource handler gets (the request as parsed so far, the session of its
 * connection, a lazily read body) and returns (a status, headers, an optional body or event
 * stream). Shared by the data, operations and stream resources.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { JsonValue } from '../../core/tree.js';
import type { StateContext } from '../../monitor/state.js';
import type { Operations } from '../../rpc/operations.js';
import type { DeviceSchema } from '../../schema/model.js';
import type { Session } from '../../txn/session.js';
import type { XmlElement } from '../netconf/xml-element.js';

export type Format = 'json' | 'xml';

export type Body = { readonly kind: 'json'; readonly value: JsonValue } | { readonly kind: 'xml'; readonly root: XmlElement };

export interface RcRequest {
  readonly method: string;
  /** The request path after the resource's prefix (still percent-encoded). */
  readonly rest: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly session: Session;
  /** The representation of the reply, from Accept. */
  readonly format: Format;
  /** The request body, read (bounded) and parsed by its Content-Type; undefined when empty. */
  body(): Promise<Body | undefined>;
}

export interface RcReply {
  readonly status: number;
  readonly body?: string;
  readonly format?: Format;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly stream?: (res: ServerResponse) => void;
}

export interface RcServices {
  readonly ops: Operations;
  readonly schema: DeviceSchema;
  readonly state: StateContext;
  readonly log: Logger;
}

export const MEDIA: Readonly<Record<Format, string>> = {
  json: 'application/yang-data+json',
  xml: 'application/yang-data+xml',
};
