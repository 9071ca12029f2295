// `node bench/cli-gap-library.mjs save|clear|restore [file]`: what `rtslib save
// file`, `rtslib clear` and `rtslib restore file` do, through the built library
// (dist/) instead of the command: a save, or one write run that plans and executes. Run by bench/cli-gap.guest.ts
// in a fresh process, to tell a fresh process's costs from the command's own.
import { RTSRoot, executePlan, planClear, planRestore, readConfigFile, saveConfigFile } from '../dist/index.js';

const [verb, file] = process.argv.slice(2);
if (!['save', 'clear', 'restore'].includes(verb) || (verb !== 'clear' && !file)) {
  console.error('usage: node bench/cli-gap-library.mjs save <file> | clear | restore <file>');
  process.exit(2);
}
const root = new RTSRoot();
if (verb === 'save') {
  await saveConfigFile(root, file, { backups: 0 });
  console.log(`save: ${file}`);
} else {
  const config = verb === 'restore' ? await readConfigFile(file) : null;
  await root.cfs.exclusive(async () => {
    const plan = config ? await planRestore(root, config) : await planClear(root);
    const result = await executePlan(root, plan, { command: verb });
    console.log(`${verb}: ${result.operations} operations`);
  });
}
