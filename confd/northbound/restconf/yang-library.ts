/**
 * @module confd/northbound/restconf/yang-library
 * The YANG library as RESTCONF data (RFC 8040 §10: the server offers ietf-yang-library):
 * /restconf/data/ietf-yang-library:yang-library (RFC 8525) and :modules-state (RFC 7895), the
 * same content NETCONF serves, in RFC 7951 JSON or XML. Read-only.
 */
import { ConfdError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/tree.js';
import type { YangLibrary } from '../netconf/yang-library.js';
import type { XmlElement } from '../netconf/xml-element.js';
import { writeXml } from '../netconf/xml-writer.js';
import type { RcReply, RcRequest } from './context.js';

const MODULE = 'ietf-yang-library';
/** Lists and leaf-lists of the two containers: always arrays in JSON. */
const ARRAYS = new Set(['module-set', 'module', 'import-only-module', 'feature', 'schema', 'datastore', 'submodule', 'location']);
const DATASTORES_NS = 'urn:ietf:params:xml:ns:yang:ietf-datastores';

export function isYangLibraryPath(rest: string): boolean {
  return rest.replace(/^\/+/, '').startsWith(`${MODULE}:`);
}

/** An XmlElement of the library as RFC 7951 JSON (identities of ietf-datastores module-qualified). */
export function libraryJson(e: XmlElement): JsonValue {
  if (e.children.length === 0) {
    const prefixed = /^([A-Za-z_][\w.-]*):(.+)$/.exec(e.text);
    const declared = prefixed && e.attributes.find((a) => a.name === `xmlns:${prefixed[1]}`)?.value;
    return declared === DATASTORES_NS ? `ietf-datastores:${prefixed![2]}` : e.text;
  }
  const out: JsonObject = {};
  for (const c of e.children) {
    const v = libraryJson(c);
    // `schema` is a list of yang-library, a leaf of a datastore.
    if (ARRAYS.has(c.name) && !(c.name === 'schema' && e.name === 'datastore')) {
      const arr = (out[c.name] ??= []) as JsonValue[];
      arr.push(v);
    } else out[c.name] = v;
  }
  return out;
}

export function yangLibraryResource(library: YangLibrary | undefined, req: RcRequest): RcReply {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new ConfdError('RC_METHOD_NOT_ALLOWED', 'the YANG library is read-only', { details: { allow: 'GET, HEAD' } });
  const name = req.rest.replace(/^\/+/, '').replace(/\/+$/, '').slice(MODULE.length + 1);
  const element = library?.libraryElements().find((e) => e.name === name);
  if (!element) throw new ConfdError('RC_NOT_FOUND', `no resource ${MODULE}:${name} (yang-library, modules-state)`);
  if (req.format === 'xml') return { status: 200, format: 'xml', body: writeXml(element) + '\n' };
  return { status: 200, format: 'json', body: JSON.stringify({ [`${MODULE}:${name}`]: libraryJson(element) }, null, 2) + '\n' };
}
