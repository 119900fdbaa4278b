// `clusterset agent`: the node agent. Wired to src/agent once it lands.
import type { Config } from '../config/load.ts';
import type { Logger } from '../log.ts';

export async function runAgentCommand(_config: Config, logger: Logger): Promise<number> {
  logger.error('the node agent is not part of this build yet');
  return 1;
}
