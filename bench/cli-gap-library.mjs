// `node bench/cli-gap-library.mjs clear|restore [file]`: what `rtslib clear` and
// `rtslib restore file` do, through the built library (dist/) instead of the
// command: one write run that plans and executes. Run by bench/cli-gap.guest.ts
// in a fresh process, to tell a fresh process's costs from the command's own.
import { RTSRoot, executePlan, planClear, planRestore, readConfigFile } from '../dist/index.js';

const [verb, file] = process.argv.slice(2);
if ((verb !== 'clear' && verb !== 'restore') || (verb === 'restore' && !file)) {
  console.error('usage: node bench/cli-gap-library.mjs clear | restore <file>');
  process.exit(2);
}
const config = verb === 'restore' ? await readConfigFile(file) : null;
const root = new RTSRoot();
await root.cfs.exclusive(async () => {
  const plan = config ? await planRestore(root, config) : await planClear(root);
  const result = await executePlan(root, plan, { command: verb });
  console.log(`${verb}: ${result.operations} operations`);
});
