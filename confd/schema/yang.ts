/**
 * @module confd/schema/yang
 * The YANG 1.1 export of a device schema: one module per top-level part (its namespace
 * urn:appliance:P becomes module appliance-P, prefix P), plus the appliance's own operations
 * (yang-software.ts). Containers, keyed lists, leaf-lists (ordered-by user: their order is
 * kept), leaves with the types of yang-types.ts, mandatory, default, unique, leafref for
 * x-ref, description from x-help, nacm:default-deny-all for x-sensitive, config false for
 * x-config false. Output is deterministic; schemas/vN/yang/ holds it, generated, never edited.
 */
import type { DeviceSchema } from './model.js';
import { revisionOf } from './yang-revisions.js';
import { softwareModule } from './yang-software.js';
import { type TypeNeeds, refName, writeBuiltinType, writeType } from './yang-types.js';
import { YangWriter, quoted } from './yang-writer.js';

type Json = Record<string, unknown>;

export interface YangModule {
  readonly name: string;
  readonly revision: string;
  readonly namespace: string;
  readonly prefix: string;
  readonly text: string;
}

/** Revisions of the standard modules the generated ones import. */
export const IMPORT_REVISIONS: Readonly<Record<string, { prefix: string; revision: string }>> = {
  'ietf-inet-types': { prefix: 'inet', revision: '2013-07-15' },
  'ietf-netconf-acm': { prefix: 'nacm', revision: '2018-02-14' },
};

export const ORGANIZATION = 'appliance project';

/** urn:appliance:interfaces → appliance-interfaces. */
export function moduleNameOf(namespace: string): string {
  return namespace.replace(/^urn:/, '').replaceAll(':', '-');
}

/**
 * Every module of schema version `version` (its JSON text `json`, compiled as `schema`), with
 * the revisions of `history` (earlier versions' JSON, by version) listed below its own.
 */
export function yangModules(json: Json, schema: DeviceSchema, history: ReadonlyMap<number, Json>): YangModule[] {
  const revisions = [{ version: schema.version, date: revisionOf(json, schema.version) }];
  for (const [v, j] of [...history].sort((a, b) => b[0] - a[0])) if (v < schema.version) revisions.push({ version: v, date: revisionOf(j, v) });
  const props = (json.properties ?? {}) as Record<string, Json>;
  const modules = Object.keys(props).map((part) => new ModuleWriter(json, schema, part, revisions).write());
  modules.push(softwareModule(revisions));
  return modules;
}

interface Revision { readonly version: number; readonly date: string }

class ModuleWriter {
  private readonly body = new YangWriter(1);
  private readonly needs: TypeNeeds = { typedefs: new Set(), imports: new Set() };
  private readonly namespace: string;
  private readonly prefix: string;

  constructor(private readonly json: Json, private readonly schema: DeviceSchema, private readonly part: string,
    private readonly revisions: readonly Revision[]) {
    const ns = schema.namespaces.get(part);
    if (!ns) throw new Error(`top-level part ${part} has no namespace`);
    this.namespace = ns;
    this.prefix = part;
  }

  write(): YangModule {
    const top = ((this.json.properties ?? {}) as Record<string, Json>)[this.part]!;
    this.node(this.part, top, [], { config: true, required: [], keys: [] });
    const name = moduleNameOf(this.namespace);
    const w = new YangWriter();
    w.open('module', name);
    w.stmt('yang-version', '1.1').stmt('namespace', quoted(this.namespace)).stmt('prefix', this.prefix).blank();
    for (const m of [...this.needs.imports].sort()) {
      const own = IMPORT_REVISIONS[m];
      const prefix = own?.prefix ?? this.schemaPrefixOf(m);
      w.open('import', m).stmt('prefix', prefix);
      w.stmt('revision-date', own?.revision ?? this.revisions[0]!.date);
      w.end();
    }
    if (this.needs.imports.size > 0) w.blank();
    w.stmt('organization', quoted(ORGANIZATION));
    w.stmt('contact', quoted('The appliance maintainers'));
    w.stmt('description', quoted(`${this.help(top)}. Generated from schemas/v${this.schema.version}/device.schema.json; do not edit.`));
    w.blank();
    for (const r of this.revisions) w.open('revision', r.date).stmt('description', quoted(`Schema version ${r.version}.`)).end();
    for (const t of [...this.needs.typedefs].sort()) this.typedef(w, t);
    w.blank();
    const text = `${w.toString()}${this.body.toString()}}\n`;
    return { name, revision: this.revisions[0]!.date, namespace: this.namespace, prefix: this.prefix, text };
  }

  private schemaPrefixOf(module: string): string {
    for (const [part, ns] of this.schema.namespaces) if (moduleNameOf(ns) === module) return part;
    throw new Error(`no module ${module}`);
  }

  private help(s: Json): string {
    return typeof s['x-help'] === 'string' ? s['x-help'] : '';
  }

  private deref(s: Json): Json {
    const ref = refName(s);
    if (ref === undefined) return s;
    const defs = (this.json.$defs ?? {}) as Record<string, Json>;
    const target = defs[ref];
    if (!target) throw new Error(`unresolved $ref ${ref}`);
    return { ...target, ...s };
  }

  private typedef(w: YangWriter, name: string): void {
    const def = ((this.json.$defs ?? {}) as Record<string, Json>)[name]!;
    w.blank().open('typedef', name);
    writeBuiltinType(w, def);
    if (typeof def['x-pattern-help'] === 'string') w.stmt('description', quoted(capitalised(def['x-pattern-help'])));
    w.end();
  }

  /** Writes schema `s` named `name`, at data path `path` (names of its ancestors). */
  private node(name: string, raw: Json, path: readonly string[], ctx: { config: boolean; required: readonly string[]; keys: readonly string[] }): void {
    const s = this.deref(raw);
    const w = this.body;
    const here = [...path, name];
    const configHere = ctx.config && s['x-config'] !== false;
    const flip = ctx.config && !configHere;
    if (s.type === 'object') {
      w.open('container', name);
      if (flip) w.stmt('config', 'false');
      this.description(s);
      this.children(s, here, configHere, [], []);
      w.end();
    } else if (s.type === 'array' && Array.isArray(s['x-key'])) {
      const items = this.deref((s.items ?? {}) as Json);
      const keys = s['x-key'] as string[];
      w.open('list', name).stmt('key', quoted(keys.join(' ')));
      const uniques = this.uniqueLeaves(items, []);
      for (const u of uniques) w.stmt('unique', quoted(u));
      if (flip) w.stmt('config', 'false');
      this.elements(s);
      this.description(s);
      this.children(items, here, configHere, (items.required ?? []) as string[], keys);
      w.end();
    } else if (s.type === 'array') {
      const items = (s.items ?? {}) as Json;
      w.open('leaf-list', name);
      writeType(w, items, this.needs);
      if (s['x-unique'] === true) this.uniqueAcrossEntries(here);
      if (flip) w.stmt('config', 'false');
      this.elements(s);
      w.stmt('ordered-by', 'user');
      if (this.deref(items)['x-sensitive'] === true) this.sensitive();
      this.description(s);
      w.end();
    } else {
      w.open('leaf', name);
      this.leafType(s, raw);
      if (flip) w.stmt('config', 'false');
      const isKey = ctx.keys.includes(name);
      if (s.default !== undefined && !isKey) w.stmt('default', quoted(String(s.default)));
      if (ctx.required.includes(name) && !isKey) w.stmt('mandatory', 'true');
      if (s['x-sensitive'] === true) this.sensitive();
      this.description(s);
      w.end();
    }
  }

  private children(s: Json, path: readonly string[], config: boolean, required: readonly string[], keys: readonly string[]): void {
    const props = (s.properties ?? {}) as Record<string, Json>;
    // Keys first, in key order, as instances carry them (RFC 7950 §7.8.5).
    const names = [...keys, ...Object.keys(props).filter((n) => !keys.includes(n))];
    for (const n of names) this.node(n, props[n]!, path, { config, required, keys });
  }

  private leafType(s: Json, raw: Json): void {
    const target = typeof s['x-ref'] === 'string' ? s['x-ref'] : undefined;
    if (target === undefined) { writeType(this.body, raw, this.needs); return; }
    const list = this.schema.lists.get(target);
    if (!list || list.keys.length !== 1) throw new Error(`x-ref ${target} is not a list with one key`);
    const prefix = list.namespace === this.namespace ? this.prefix : this.importSchemaModule(list.namespace);
    const steps = [...target.split('/').filter(Boolean), list.keys[0]!];
    this.body.open('type', 'leafref').stmt('path', quoted(steps.map((n) => `/${prefix}:${n}`).join(''))).end();
  }

  private importSchemaModule(namespace: string): string {
    const module = moduleNameOf(namespace);
    this.needs.imports.add(module);
    return this.schemaPrefixOf(module);
  }

  /** x-unique leaves of a list entry, as `unique` arguments (descendant paths). */
  private uniqueLeaves(entry: Json, path: readonly string[]): string[] {
    const out: string[] = [];
    for (const [n, raw] of Object.entries((entry.properties ?? {}) as Record<string, Json>)) {
      const s = this.deref(raw);
      if (s.type === 'object') out.push(...this.uniqueLeaves(s, [...path, n]));
      else if (s.type !== 'array' && s['x-unique'] === true) out.push([...path, n].join('/'));
    }
    return out;
  }

  /** A leaf-list whose values no two list entries may share: `unique` cannot say it, `must` can. */
  private uniqueAcrossEntries(path: readonly string[]): void {
    const abs = path.map((n) => `/${this.prefix}:${n}`).join('');
    this.body.open('must', quoted(`count(${abs}[. = current()]) = 1`))
      .stmt('error-message', quoted('no two entries may hold the same value')).end();
  }

  private elements(s: Json): void {
    if (typeof s.minItems === 'number' && s.minItems > 0) this.body.stmt('min-elements', String(s.minItems));
    if (typeof s.maxItems === 'number') this.body.stmt('max-elements', String(s.maxItems));
  }

  private sensitive(): void {
    this.needs.imports.add('ietf-netconf-acm');
    this.body.stmt('nacm:default-deny-all');
  }

  private description(s: Json): void {
    const help = this.help(s);
    if (help) this.body.stmt('description', quoted(help));
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
