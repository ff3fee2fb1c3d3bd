/**
 * @module bench/notify-subscribers
 * Child process of the notify benchmark: N subscribers on the appliance socket, each recording
 * when every change reached it. Prints READY once all are subscribed; on SIGTERM prints one
 * JSON line {txid: [receive times]} and exits. Times are monotonic milliseconds (process.hrtime).
 */
import { ConfigSubscriber } from '../confd/api/index.js';
import { nowMs } from './stats.js';

const [socket, countText, pathsText] = process.argv.slice(2);
const n = Number(countText);
const paths = pathsText!.split(',');
const received = new Map<number, number[]>();
const subs: ConfigSubscriber[] = [];
for (let i = 0; i < n; i++) {
  subs.push(await ConfigSubscriber.connect({
    socket: socket!, name: `bench-${process.pid}-${i}`, paths: [paths[i % paths.length]!], persist: false,
    onChange: (e) => {
      const t = nowMs();
      let list = received.get(e.txid);
      if (!list) { list = []; received.set(e.txid, list); }
      list.push(t);
    },
  }));
}
process.stdout.write('READY\n');
process.once('SIGTERM', () => {
  process.stdout.write(JSON.stringify(Object.fromEntries(received)) + '\n', () => process.exit(0));
});
