/**
 * @module main/export-xml
 * `config export --format xml`: the configuration as a NETCONF `<config>` element, each part in
 * its namespace, as edit-config and copy-config take it.
 */
import { SCHEMAS_DIR } from '../confd/main/app-paths.js';
import { configToXml } from '../confd/northbound/netconf/config-codec.js';
import { loadDeviceSchema } from '../confd/schema/loader.js';
import type { JsonObject } from '../confd/core/tree.js';

export function exportXml(tree: Record<string, unknown>, schemaVersion: number): string {
  const schema = loadDeviceSchema(SCHEMAS_DIR, schemaVersion);
  return `<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">${configToXml(schema, tree as JsonObject)}</config>`;
}
