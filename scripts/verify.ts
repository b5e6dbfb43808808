/** `npm run verify`: see src/recordings/verify-cli.ts. */
import { runVerify } from '../src/recordings/verify-cli.ts';

const res = await runVerify(process.argv.slice(2), process.env, process.cwd());
process.stdout.write(res.out);
process.exit(res.exitCode);
