/**
 * Test helpers: a device (store + engine) in a fresh temporary data directory.
 */
import { rmSync } from 'node:fs';
import pino from 'pino';
import { openDevice, type OpenDeviceOptions } from '../../confd/main/device.js';
import { loadDeviceSchema } from '../../confd/schema/loader.js';
import { SCHEMAS_DIR } from '../../confd/main/app-paths.js';
import type { DeviceSchema } from '../../confd/schema/model.js';
import type { ConfigEngine } from '../../confd/txn/engine.js';
import { tempDir } from './temp-dir.js';

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const cachedSchemas = new Map<number, DeviceSchema>();
/**
 * A device schema of this build, compiled once per test process. Version 1 by default: the
 * engine's own tests are written against its shapes (v2 is exercised by the transform tests).
 */
export function testSchema(version = 1): DeviceSchema {
  let schema = cachedSchemas.get(version);
  if (!schema) { schema = loadDeviceSchema(SCHEMAS_DIR, version); cachedSchemas.set(version, schema); }
  return schema;
}

export { tempDir };

export interface TestDevice {
  readonly engine: ConfigEngine;
  readonly dir: string;
  close(): void;
}

export async function openTestDevice(options: Partial<OpenDeviceOptions> = {}): Promise<TestDevice> {
  const dir = options.dataDir ?? tempDir().path;
  const engine = await openDevice({ dataDir: dir, logger: quietLogger, schema: testSchema(), ...options });
  return {
    engine, dir,
    close: () => {
      engine.close();
      engine.store.close();
      if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
