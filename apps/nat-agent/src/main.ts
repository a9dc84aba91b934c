import { readFileIfExists } from './commands/command-context';
import { main } from './dispatch';

// The process entry: everything testable lives in dispatch.ts. process.exit because a drained agent
// may still hold idle keep-alive sockets that would otherwise delay the exit.
const code = await main(process.argv.slice(2), {
  env: process.env,
  io: { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
  readFile: readFileIfExists,
});
process.exit(code);
