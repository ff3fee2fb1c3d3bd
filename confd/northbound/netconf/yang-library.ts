/**
 * @module confd/northbound/netconf/yang-library
 * The modules this server publishes: the appliance's own (generated per schema version) and
 * the standard ones it implements or imports. From them come the module capabilities of the
 * hello (RFC 6020 §5.6.4), the yang-library:1.1 capability (RFC 8526), the RFC 8525 library
 * (with the RFC 7895 modules-state kept for older clients), the RFC 6022 schema list, and the
 * texts <get-schema> returns.
 */
import { createHash } from 'node:crypto';
import { ConfdError } from '../../core/errors.js';
import type { PublishedModule } from '../../schema/yang-files.js';
import { el, withAttribute } from './data-element.js';
import type { XmlElement } from './xml-element.js';

export const YANG_LIBRARY_NS = 'urn:ietf:params:xml:ns:yang:ietf-yang-library';
const DATASTORES_NS = 'urn:ietf:params:xml:ns:yang:ietf-datastores';

/** Standard modules the server implements (the others are there for their imports). */
const IMPLEMENTED = new Set([
  'ietf-netconf', 'ietf-netconf-monitoring', 'ietf-netconf-notifications', 'ietf-netconf-with-defaults', 'ietf-yang-library',
  // Its identities name the datastores in the library (RFC 8525 §3 requires it implemented).
  'ietf-datastores',
  // RFC 5277 as YANG (from yuma123): create-subscription, and the streams in /netconf/streams.
  'notifications', 'nc-notifications',
]);

/** Features of implemented modules (ietf-netconf's match the :capabilities of the hello). */
const FEATURES: Readonly<Record<string, readonly string[]>> = {
  'ietf-netconf': ['candidate', 'confirmed-commit', 'rollback-on-error', 'validate', 'startup'],
};

const MODULE_SET = 'appliance';

export class YangLibrary {
  readonly contentId: string;
  private readonly byName = new Map<string, PublishedModule[]>();

  constructor(readonly modules: readonly PublishedModule[]) {
    for (const m of modules) this.byName.set(m.name, [...(this.byName.get(m.name) ?? []), m]);
    const ids = modules.map((m) => `${m.name}@${m.revision}`).sort().join('\n');
    this.contentId = createHash('sha256').update(ids).digest('hex').slice(0, 16);
  }

  implemented(m: PublishedModule): boolean {
    return m.own || IMPLEMENTED.has(m.name);
  }

  /** Module capabilities and the YANG library capability, for the hello. */
  capabilities(): string[] {
    const modules = this.modules.map((m) => {
      const features = FEATURES[m.name];
      return `${m.namespace}?module=${m.name}&revision=${m.revision}${features && this.implemented(m) ? `&features=${features.join(',')}` : ''}`;
    });
    return [...modules, `urn:ietf:params:netconf:capability:yang-library:1.1?revision=2019-01-04&content-id=${this.contentId}`];
  }

  /** The text of module `identifier` (of revision `version` when given). */
  schema(identifier: string, version: string | undefined, format: string | undefined): string {
    const fmt = format?.replace(/^[A-Za-z0-9_-]+:/, '');
    if (fmt !== undefined && fmt !== 'yang') {
      throw new ConfdError('NC_NO_SUCH_SCHEMA', `schemas are published in format yang, not ${format}`, { details: { element: 'format' } });
    }
    const all = this.byName.get(identifier) ?? [];
    const found = version ? all.filter((m) => m.revision === version) : all;
    if (found.length === 0) {
      throw new ConfdError('NC_NO_SUCH_SCHEMA', `no module ${identifier}${version ? ` of revision ${version}` : ''}`,
        { details: { element: version && all.length > 0 ? 'version' : 'identifier' } });
    }
    if (found.length > 1) throw new ConfdError('NC_SCHEMA_NOT_UNIQUE', `module ${identifier} has several revisions: name one`);
    return found[0]!.text;
  }

  /** RFC 6022 netconf-state/schemas. */
  schemasElement(ns: string): XmlElement {
    return el('schemas', ns, this.modules.map((m) => el('schema', ns, [
      el('identifier', ns, m.name), el('version', ns, m.revision), el('format', ns, 'yang'),
      el('namespace', ns, m.namespace), el('location', ns, 'NETCONF'),
    ])));
  }

  /** RFC 8525 yang-library and the RFC 7895 modules-state (deprecated, for older clients). */
  libraryElements(): XmlElement[] {
    const ns = YANG_LIBRARY_NS;
    const implemented = this.modules.filter((m) => this.implemented(m));
    const imported = this.modules.filter((m) => !this.implemented(m));
    const entry = (m: PublishedModule, tag: string): XmlElement => el(tag, ns, [
      el('name', ns, m.name), el('revision', ns, m.revision), el('namespace', ns, m.namespace),
      ...(tag === 'module' ? (FEATURES[m.name] ?? []).map((f) => el('feature', ns, f)) : []),
    ]);
    const datastore = (name: string): XmlElement => el('datastore', ns, [
      withAttribute(el('name', ns, `ds:${name}`), 'xmlns:ds', DATASTORES_NS), el('schema', ns, MODULE_SET),
    ]);
    const library = el('yang-library', ns, [
      el('module-set', ns, [el('name', ns, MODULE_SET), ...implemented.map((m) => entry(m, 'module')),
        ...imported.map((m) => entry(m, 'import-only-module'))]),
      el('schema', ns, [el('name', ns, MODULE_SET), el('module-set', ns, MODULE_SET)]),
      datastore('running'), datastore('candidate'), datastore('startup'),
      el('content-id', ns, this.contentId),
    ]);
    const state = el('modules-state', ns, [
      el('module-set-id', ns, this.contentId),
      ...this.modules.map((m) => el('module', ns, [
        el('name', ns, m.name), el('revision', ns, m.revision), el('namespace', ns, m.namespace),
        ...(this.implemented(m) ? (FEATURES[m.name] ?? []).map((f) => el('feature', ns, f)) : []),
        el('conformance-type', ns, this.implemented(m) ? 'implement' : 'import'),
      ])),
    ]);
    return [library, state];
  }
}
