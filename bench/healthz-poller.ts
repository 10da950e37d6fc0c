import { get } from 'node:http';
import { performance } from 'node:perf_hooks';

// GET /healthz every few milliseconds, as a load balancer would, from its own process so a golive
// whose event loop is blocked cannot hold up the polling or its clock. Run by healthz-under-writes
// through fork(): `healthz-poller.ts <golive url> <every ms>`; it says 'ready' after its first
// answer, and on 'stop' sends back every poll (when it was sent, how long the answer took) and exits.

export interface Poll {
  /** Date.now() when the request was sent. */
  sentAt: number;
  /** Until the whole answer had arrived; undefined when the request failed. */
  ms?: number;
}

const [url, every] = process.argv.slice(2);
if (!url || !every || !process.send) throw new Error('healthz-poller: run it through fork() with <url> <every ms>');
const polls: Poll[] = [];
let outstanding = 0;
let ready = false;

// A fixed schedule, not one poll after another: a stalled golive then faces the polls a real
// checker would have sent meanwhile, and each of them counts.
const timer = setInterval(() => {
  const poll: Poll = { sentAt: Date.now() };
  const started = performance.now();
  outstanding += 1;
  const request = get(`${url}/healthz`, { agent: false }, (response) => {
    response.resume();
    response.on('end', () => {
      outstanding -= 1;
      if (response.statusCode === 200) poll.ms = performance.now() - started;
      polls.push(poll);
      if (!ready) {
        ready = true;
        process.send!('ready');
      }
    });
  });
  request.on('error', () => {
    outstanding -= 1;
    polls.push(poll);
  });
}, Number(every));

process.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  const finish = () => (outstanding > 0 ? setTimeout(finish, 5) : process.send!({ polls }, () => process.exit(0)));
  finish();
});

// Whatever happens to the benchmark, the poller does not outlive it.
process.on('disconnect', () => process.exit(0));
