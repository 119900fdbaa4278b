// Flags, environment and a YAML file → one validated Config. Precedence: flag, then environment, then
// file, then default. Every error names the field and where its value came from.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseCidr } from '../mcs/ip.ts';
import { labelValueProblem } from '../mcs/names.ts';
import { MeshNetworksError, parseMeshNetworks } from '../mesh/networks.ts';
import { FIELDS, type FieldSpec } from './fields.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Command = 'run' | 'render' | 'agent';

export interface Config {
  clusters?: string;
  kubeconfig: string[];
  contexts: string[];
  out?: string;
  memberGracePeriod: number;
  leaderElect: boolean;
  leaderElectionCluster?: string;
  leaderElectionNamespace: string;
  nodeName?: string;
  namespace?: string;
  httpAddress: { host: string; port: number };
  dnsAddress?: { host: string; port: number };
  dnsTTL: number;
  dnsWorkers: number;
  clusterSetIPv4Range?: string;
  clusterSetIPv6Range?: string;
  transitionTime?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  meshServiceEntries: boolean;
  meshRevision?: string;
  meshConfigCluster?: string;
  meshNetworks: string[];
}

export interface ParsedArgs {
  /** Flag values by config key. */
  values: Map<string, string>;
  configFile?: string;
  help: boolean;
}

export function parseArgs(command: Command, argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  let configFile: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ConfigError(`${flag}: needs a value`);
      return v;
    };
    if (flag === '--config') {
      configFile = takeValue();
      continue;
    }
    const spec = FIELDS.find((f) => f.flag === flag && f.commands.includes(command));
    if (!spec)
      throw new ConfigError(`${arg}: unknown option for "clusterset ${command}" (see clusterset ${command} --help)`);
    // A bare boolean flag means true (`--leader-elect`); `--flag=false` or `--flag false` says otherwise.
    const next = argv[i + 1];
    if (
      spec.type === 'bool' &&
      eq < 0 &&
      (next === undefined || next.startsWith('--') || !['true', 'false'].includes(next))
    ) {
      values.set(spec.key, 'true');
      continue;
    }
    values.set(spec.key, takeValue());
  }
  return { values, configFile, help };
}

export function loadConfig(command: Command, args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Config {
  const file = args.configFile ?? env.CLUSTERSET_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const out: Record<string, unknown> = {};
  for (const spec of FIELDS) {
    if (!spec.commands.includes(command)) continue;
    let raw: unknown;
    let origin: string;
    if (args.values.has(spec.key)) {
      raw = args.values.get(spec.key);
      origin = spec.flag;
    } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
      raw = env[spec.env];
      origin = `environment ${spec.env}`;
    } else if (fromFile[spec.key] !== undefined) {
      raw = fromFile[spec.key];
      origin = `${file}: ${spec.key}`;
    } else {
      raw = spec.default;
      origin = `default of ${spec.key}`;
    }
    if (raw === undefined) continue;
    out[spec.key] = convert(spec, raw, origin);
  }
  if (file) {
    for (const key of Object.keys(fromFile)) {
      if (!FIELDS.some((f) => f.key === key))
        throw new ConfigError(`${file}: ${key}: unknown setting (known: ${FIELDS.map((f) => f.key).join(', ')})`);
    }
  }
  out.kubeconfig ??= [];
  out.contexts ??= [];
  out.meshNetworks ??= [];
  out.meshServiceEntries ??= true;
  checkMeshSettings(out);
  return out as unknown as Config;
}

function checkMeshSettings(out: Record<string, unknown>): void {
  try {
    parseMeshNetworks(out.meshNetworks as string[]);
  } catch (err) {
    if (err instanceof MeshNetworksError) throw new ConfigError(`meshNetworks: ${err.message}`);
    throw err;
  }
  const rev = out.meshRevision;
  const problem = typeof rev === 'string' ? labelValueProblem(rev) : undefined;
  if (problem) throw new ConfigError(`meshRevision: "${String(rev)}" ${problem} (it is the istio.io/rev label value)`);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `--config ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`--config ${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(`--config ${path}: must be a mapping of settings`);
  return value as Record<string, unknown>;
}

function convert(spec: FieldSpec, raw: unknown, origin: string): unknown {
  const bad = (why: string): never => {
    throw new ConfigError(`${spec.key} (${origin}): ${why}`);
  };
  if (spec.type === 'list') {
    if (Array.isArray(raw)) return raw.map((v) => (typeof v === 'string' ? v : bad('must be a list of strings')));
    if (typeof raw !== 'string') bad('must be a comma-separated string or a list');
    return (raw as string)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  const text = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw;
  if (typeof text !== 'string') return bad(`must be a ${spec.type}, not ${Array.isArray(raw) ? 'a list' : typeof raw}`);
  switch (spec.type) {
    case 'string':
    case 'path':
      if (text === '') bad('must not be empty');
      return text;
    case 'hostport':
      return parseHostPort(text) ?? bad(`"${text}" is not host:port (for example 0.0.0.0:8080 or [::]:53)`);
    case 'cidr4':
    case 'cidr6': {
      const family = spec.type === 'cidr4' ? 'IPv4' : 'IPv6';
      if (text === 'none' || text === '') return undefined;
      const cidr = parseCidr(text);
      if (!cidr || cidr.family !== family) bad(`"${text}" is not an ${family} CIDR`);
      if (cidr && cidr.bits - cidr.prefix < 2) bad(`"${text}" is too small to allocate from`);
      return text;
    }
    case 'level':
      if (!['debug', 'info', 'warn', 'error'].includes(text)) bad(`"${text}" is not one of debug, info, warn, error`);
      return text;
    case 'seconds':
    case 'int': {
      const n = Number(text);
      if (!Number.isInteger(n) || n < (spec.type === 'seconds' ? 0 : 1) || n > 86400)
        bad(`"${text}" is not a whole number in range`);
      return n;
    }
    case 'bool':
      if (text !== 'true' && text !== 'false') bad(`"${text}" is not true or false`);
      return text === 'true';
  }
}

export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function helpText(command: Command, summary: string): string {
  const lines = [summary, '', 'Options (flag / environment / config file key):'];
  for (const f of FIELDS.filter((x) => x.commands.includes(command))) {
    lines.push(
      `  ${f.flag} <${f.type}>   ${f.env}   ${f.key}${f.default !== undefined ? `   (default ${f.default})` : ''}`,
    );
    lines.push(`      ${f.help}`);
  }
  lines.push('  --config <file>   CLUSTERSET_CONFIG', '      YAML file with any of the settings above, by config key.');
  lines.push('  --help', '      This text.');
  return lines.join('\n');
}
