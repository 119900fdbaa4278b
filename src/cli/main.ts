// The `clusterset` command line: run (controller), render (offline), agent (node agent).
import { type Command, ConfigError, helpText, loadConfig, parseArgs } from '../config/load.ts';
import { createLogger } from '../log.ts';
import { render } from './render.ts';
import { run } from './run.ts';

const SUMMARIES: Record<Command, string> = {
  run: 'clusterset run --clusters <folder> | --kubeconfig <file>[,<file>]\n\nRuns the controller: merges the ServiceExports of every member cluster and keeps ServiceImports, MCS EndpointSlices, ServiceExport conditions, Istio ServiceEntries and clusterset.local DNS current.',
  render:
    'clusterset render --clusters <folder> --out <folder>\n\nWrites, per member cluster, the ServiceImports, MCS EndpointSlices, ServiceExport statuses and Istio ServiceEntries the controller would write, as YAML. Exits 1 on invalid input.',
  agent: 'clusterset agent\n\nRuns the node agent: programs this node so that ClusterSetIPs reach their endpoints.',
};

const USAGE = `clusterset: a Multi-Cluster Services (KEP-1645) controller

Usage: clusterset <command> [options]

Commands:
  run      run the controller
  render   write the objects the controller would write, for manifests given as folders
  agent    run the node agent

clusterset <command> --help lists the options of a command.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command !== 'run' && command !== 'render' && command !== 'agent') {
    process.stderr.write(`clusterset: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  const args = parseArgs(command, rest);
  if (args.help) {
    process.stdout.write(`${helpText(command, SUMMARIES[command])}\n`);
    return 0;
  }
  const config = loadConfig(command, args);
  const logger = createLogger({ level: config.logLevel, base: { command } });
  if (command === 'render') {
    const r = await render(config, logger);
    process.stdout.write(
      `rendered ${r.services} imported service(s) for ${r.clusters} cluster(s) into ${config.out}\n`,
    );
    return 0;
  }
  if (command === 'agent') {
    const { runAgentCommand } = await import('./agent.ts');
    return runAgentCommand(config, logger);
  }
  const running = await run(config, logger);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping', { signal });
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await running.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const known =
      err instanceof ConfigError || (err instanceof Error && ['RenderInputError', 'InputError'].includes(err.name));
    process.stderr.write(
      `clusterset: ${err instanceof Error ? (known ? err.message : (err.stack ?? err.message)) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
