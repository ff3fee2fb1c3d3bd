/**
 * Test helpers: a device (store + engine) in a fresh temporary data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openDevice, type OpenDeviceOptions } from '../../confd/main/device.js';
import { loadDeviceSchema } from '../../confd/schema/loader.js';
import { SCHEMAS_DIR } from '../../confd/main/app-paths.js';
import type { DeviceSchema } from '../../confd/schema/model.js';
import type { ConfigEngine } from '../../confd/txn/engine.js';

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let cachedSchema: DeviceSchema | undefined;
/** The newest device schema of this build, compiled once per test process. */
export function testSchema(): DeviceSchema {
  cachedSchema ??= loadDeviceSchema(SCHEMAS_DIR);
  return cachedSchema;
}

export function tempDir(prefix = 'appliance-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

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
