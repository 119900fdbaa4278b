// Child process for the benchmark: our DNS server with the generated clusterset, pinned by the parent (taskset).
// Prints "ready <port>" once it answers.
import { startDnsServer } from '../../src/dns/server.ts';
import { generateClusterset } from './clusterset.ts';

const port = Number(process.argv[2] ?? 0);
const workers = Number(process.argv[3] ?? 1);
const dns = await startDnsServer({ host: '127.0.0.1', port, workers });
for (const view of generateClusterset().views) dns.upsert(view);
await dns.flush();
process.stdout.write(`ready ${dns.udpPort}\n`);
process.on('SIGTERM', () => void dns.close().then(() => process.exit(0)));
