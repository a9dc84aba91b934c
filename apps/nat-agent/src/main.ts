import { readFileIfExists } from './commands/command-context';
import { main } from './dispatch';

// The AWS SDK warns on every start that releases after January 2027 need Node 22. The agent pins its
// SDK version and targets Node >= 20.19 (docs/operations.md, Requirements), so the warning is noise in
// an operator's journal; an explicit setting still wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The process entry: everything testable lives in dispatch.ts. process.exit because a drained agent
// may still hold idle keep-alive sockets that would otherwise delay the exit.
const code = await main(process.argv.slice(2), {
  env: process.env,
  io: { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
  readFile: readFileIfExists,
});
process.exit(code);
