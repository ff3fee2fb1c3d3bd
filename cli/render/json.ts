/**
 * @module cli/render/json
 * `| display json`: the configuration as the appliance holds it, rooted at the top (the same
 * shape `load merge` and `appliance config import` take). Pure.
 */
import type { JsonObject } from '../../confd/api/index.js';

export function renderJson(tree: JsonObject): string {
  return JSON.stringify(tree, null, 2) + '\n';
}
