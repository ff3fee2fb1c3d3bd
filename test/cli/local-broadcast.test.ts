/**
 * Issue 9, item 5, for the local CLI: an `appliance cli` session on a pty (tmux), connected to
 * the running appliance over its local socket, gets the same one-line message as the SSH
 * shells when a confirmed commit is rolled back, and its prompt follows the host name through
 * the commit and the revert.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { after, before, test } from 'node:test';
import { APPLIANCE_BIN, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD, connectNetconf } from '../security/ssh-netconf.js';

const dir = tempDir('appliance-cli-local-');
const TMUX = ['-L', `appliance-cli-local-${process.pid}`];
/** The device user of this process's uid on the local socket. */
const ME = process.getuid!() === 0 ? 'root' : userInfo().username;
let app: RunningAppliance;

const tmux = (...args: string[]) => execFileSync('tmux', [...TMUX, ...args], { encoding: 'utf8' });
const pane = () => tmux('capture-pane', '-p', '-J', '-t', 'local', '-S', '-200').replace(/\n+$/, '');

async function waitFor(re: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = pane();
    if (re.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${re}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => { app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD }); });
after(async () => {
  try { tmux('kill-server'); } catch { /* already gone */ }
  await app.stop();
  dir.remove();
});

test('a local `appliance cli` session hears of a rolled-back confirmed commit, and its prompt follows the host name', async () => {
  tmux('new-session', '-d', '-s', 'local', '-x', '200', '-y', '50', [process.execPath, APPLIANCE_BIN, 'cli', '--data-dir', dir.path].join(' '));
  await waitFor(new RegExp(`${ME}@appliance> $`));

  // A confirmed commit from NETCONF (2 seconds) renames the host, then is not confirmed.
  const nc = await connectNetconf(app.port);
  try {
    await nc.nc.rpc('<edit-config><target><candidate/></target><config><system xmlns="urn:appliance:system"><hostname>edge-9</hostname></system></config></edit-config>');
    await nc.nc.rpc('<commit><confirmed/><confirm-timeout>2</confirm-timeout></commit>');
    await waitFor(new RegExp(`${ME}@edge-9> $`));
    const text = await waitFor(new RegExp(
      `Message from the appliance: the confirmed commit of admin \\(session \\d+\\) was not confirmed in time and has been rolled back\\n(.*\\n)?${ME}@appliance> $`), 15_000);
    assert.equal(text.match(/Message from the appliance/g)?.length, 1, 'one line, once');
  } finally {
    nc.close();
  }
  tmux('send-keys', '-t', 'local', '-l', 'show configuration system hostname');
  tmux('send-keys', '-t', 'local', 'Enter');
  await waitFor(/show configuration system hostname\nhostname appliance;\n/);
});
