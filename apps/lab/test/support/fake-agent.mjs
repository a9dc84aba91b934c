/* global process, setTimeout, setInterval */
// A stand-in for nat-agent in the supervision tests: JSON log lines on stdout, SIGTERM drains and
// exits 0, `--crash` exits 1 with a stack trace on stderr, `--reject` leaves an unhandled rejection.
const log = (event, fields = {}) =>
  process.stdout.write(`${JSON.stringify({ level: 'info', time: Date.now(), event, ...fields })}\n`);
log('agent_starting');
log('http_listening', { url: 'http://127.0.0.1:1' });
if (process.argv.includes('--crash')) {
  setTimeout(() => {
    throw new TypeError('boom');
  }, 50);
}
if (process.argv.includes('--reject')) {
  setTimeout(() => void Promise.reject(new Error('nobody catches this')), 50);
}
process.stdout.write('not json at all\n');
process.on('SIGTERM', () => {
  log('drain_started', { reason: 'signal' });
  setTimeout(() => {
    log('drain_completed');
    process.exit(0);
  }, 50);
});
setInterval(() => log('tick'), 100);
