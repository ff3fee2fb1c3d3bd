/**
 * @module confd/schema/yang-software
 * The YANG module of the appliance's own operations (namespace urn:appliance:software): the
 * upgrade manager's software-add, software-status and software-rollback, as the NETCONF
 * northbound reads them. Their replies carry the job record as JSON text in `result`.
 */
import type { YangModule } from './yang.js';
import { YangWriter, quoted } from './yang-writer.js';

export const SOFTWARE_NAMESPACE = 'urn:appliance:software';

interface Param { readonly name: string; readonly type: 'string' | 'empty'; readonly mandatory?: boolean; readonly help: string }

const OPERATIONS: readonly { name: string; help: string; input: readonly Param[] }[] = [
  {
    name: 'software-add',
    help: 'Verify a signed bundle and install it in the inactive slot, then switch to it',
    input: [
      { name: 'bundle', type: 'string', mandatory: true, help: 'Path of the bundle file on the appliance' },
      { name: 'dry-run', type: 'empty', help: 'Verify and report the configuration changes without installing' },
    ],
  },
  { name: 'software-status', help: 'The slots, the boot state and the current upgrade job', input: [] },
  {
    name: 'software-rollback',
    help: 'Boot the previous slot again, converting the configuration back',
    input: [
      { name: 'confirm', type: 'empty', help: 'Roll back even when the conversion loses configuration' },
      { name: 'dry-run', type: 'empty', help: 'Report what the rollback would change without doing it' },
    ],
  },
];

export function softwareModule(revisions: readonly { version: number; date: string }[]): YangModule {
  const w = new YangWriter();
  const name = 'appliance-software';
  w.open('module', name);
  w.stmt('yang-version', '1.1').stmt('namespace', quoted(SOFTWARE_NAMESPACE)).stmt('prefix', 'software').blank();
  w.stmt('organization', quoted('appliance project')).stmt('contact', quoted('The appliance maintainers'));
  w.stmt('description', quoted('Software upgrades of the appliance (A/B slots, signed bundles). Generated; do not edit.')).blank();
  for (const r of revisions) w.open('revision', r.date).stmt('description', quoted(`Schema version ${r.version}.`)).end();
  for (const op of OPERATIONS) {
    w.blank().open('rpc', op.name).stmt('description', quoted(op.help));
    if (op.input.length > 0) {
      w.open('input');
      for (const p of op.input) {
        w.open('leaf', p.name).stmt('type', p.type);
        if (p.mandatory) w.stmt('mandatory', 'true');
        w.stmt('description', quoted(p.help)).end();
      }
      w.end();
    }
    w.open('output').open('leaf', 'result').stmt('type', 'string')
      .stmt('description', quoted('The job record (or the dry run\'s changes) as JSON text')).end().end();
    w.end();
  }
  w.end();
  return { name, revision: revisions[0]!.date, namespace: SOFTWARE_NAMESPACE, prefix: 'software', text: w.toString() };
}
