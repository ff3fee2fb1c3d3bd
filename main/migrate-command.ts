/**
 * @module main/migrate-command
 * `appliance migrate`: carries a database copy between schema versions with this build's
 * transforms (confd/main/migrate). Internal: the upgrade manager runs it from the build that
 * knows both versions. With --json it reports each stage as a JSON line, then the result.
 */
import pino from 'pino';
import { ConfdError } from '../confd/core/errors.js';
import { faultSet } from '../confd/api/faults.js';
import { softwareVersion } from '../confd/main/app-paths.js';
import { migrateDatabase } from '../confd/main/migrate.js';
import { flag, str, type Command } from './commands.js';
import { UsageError, out } from './output.js';

export const migrate: Command = {
  summary: 'carry a configuration database to another schema version (used by the upgrade manager)',
  usage: 'appliance migrate --db FILE --from N --to M [--dry-run] [--accept-losses] [--json]',
  options: {
    db: { type: 'string', arg: 'FILE', describe: 'the database copy to migrate in place' },
    from: { type: 'string', arg: 'N', describe: 'its schema version' }, to: { type: 'string', arg: 'M', describe: 'the schema version to reach' },
    'dry-run': { type: 'boolean', describe: 'report the changes; write nothing' },
    'accept-losses': { type: 'boolean', describe: 'carry on although a step down drops settings' },
    json: { type: 'boolean', describe: 'report each stage, then the result, as JSON lines' },
  },
  async run(ctx) {
    const file = str(ctx, 'db');
    const from = Number(str(ctx, 'from')), to = Number(str(ctx, 'to'));
    if (!file || !Number.isInteger(from) || !Number.isInteger(to)) throw new UsageError('migrate needs --db, --from and --to');
    // Fault injection for the upgrade tests: a build that knows no transforms (an old one
    // asked to reach a schema version newer than its own).
    if (faultSet(`no-transforms-version:${softwareVersion()}`)) {
      throw new ConfdError('UPG_TRANSFORM_FAILED', `version ${softwareVersion()} knows no transforms to schema ${to} (injected)`);
    }
    const json = flag(ctx, 'json');
    const r = await migrateDatabase({
      file, from, to, log: pino({ level: 'warn' }, pino.destination(2)), dryRun: flag(ctx, 'dry-run'), acceptLosses: flag(ctx, 'accept-losses'),
      onStep: (step) => { if (json) out(JSON.stringify({ step })); },
    });
    if (json) { out(JSON.stringify({ result: r })); return 0; }
    for (const c of r.changes) out(`${c.op} ${c.path}`);
    for (const l of r.losses) out(`lost ${l.path}: ${l.reason}`);
    return 0;
  },
};
