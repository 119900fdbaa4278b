import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../src/config/fields.ts';
import { ConfigError, loadConfig, parseArgs, parseHostPort } from '../../src/config/load.ts';

describe('config', () => {
  it('takes a flag over the environment over the file over the default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'logLevel: warn\ndnsTTL: 30\nclusters: /from/file\n');
    const c = loadConfig('run', parseArgs('run', ['--config', file, '--clusters', '/from/flag']), {
      CLUSTERSET_DNS_TTL: '7',
    });
    expect(c.clusters).toBe('/from/flag');
    expect(c.dnsTTL).toBe(7);
    expect(c.logLevel).toBe('warn');
    expect(c.httpAddress).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it.each([
    [['--dns-ttl', 'soon'], {}, 'dnsTTL (--dns-ttl): "soon"'],
    [['--http-address', 'nowhere'], {}, 'httpAddress (--http-address): "nowhere" is not host:port'],
    [[], { CLUSTERSET_LOG_LEVEL: 'loud' }, 'logLevel (environment CLUSTERSET_LOG_LEVEL)'],
    [['--out', 'x'], {}, '--out: unknown option for "clusterset run"'],
    [['--clusters'], {}, '--clusters: needs a value'],
  ])('names the field: %j %j', (argv, env, message) => {
    expect(() => loadConfig('run', parseArgs('run', argv), env)).toThrow(ConfigError);
    expect(() => loadConfig('run', parseArgs('run', argv), env)).toThrow(message);
  });

  it('reads a bare boolean flag as true', () => {
    expect(loadConfig('run', parseArgs('run', ['--leader-elect']), {}).leaderElect).toBe(true);
    expect(loadConfig('run', parseArgs('run', ['--leader-elect', 'false']), {}).leaderElect).toBe(false);
    expect(loadConfig('run', parseArgs('run', ['--leader-elect=false', '--log-level', 'warn']), {}).leaderElect).toBe(
      false,
    );
    expect(loadConfig('run', parseArgs('run', []), {}).leaderElect).toBe(false);
  });

  it('refuses unknown keys in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'clustres: x\n');
    expect(() => loadConfig('run', parseArgs('run', ['--config', file]), {})).toThrow(/clustres: unknown setting/);
  });

  it('reads host:port forms', () => {
    expect(parseHostPort(':53')).toEqual({ host: '0.0.0.0', port: 53 });
    expect(parseHostPort('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(parseHostPort('127.0.0.1:99999')).toBeUndefined();
  });

  it('documents every setting in the README', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    for (const f of FIELDS) {
      expect(readme, f.flag).toContain(`\`${f.flag}\``);
      expect(readme, f.env).toContain(`\`${f.env}\``);
    }
  });
});
