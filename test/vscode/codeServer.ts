// Shared by the extension-host runner and the UI runner: a real VS Code (code-server 4.100, VS Code 1.100) on
// 127.0.0.1 with a Node extension host, driven by headless Chromium. See ../shared/docs/real-vscode-offline.md
// for why this is the way to run VS Code on an offline machine. Everything it writes goes to a temp dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const resultsDir = path.join(repoRoot, 'test-results');

/** The code-server entry installed by scripts/install-code-server.sh (kept out of node_modules on purpose). */
export function codeServerEntry(): string {
  const dir = process.env.CODE_SERVER_DIR ?? path.join(repoRoot, '.vscode-test', 'code-server');
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(entry)) {
    throw new Error(`code-server is not installed (${entry} is missing); run scripts/install-code-server.sh`);
  }
  return entry;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** User settings that keep VS Code from reaching the network or opening anything a test did not ask for. */
export function baseSettings(): Record<string, unknown> {
  return {
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'workbench.enableExperiments': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'git.enabled': false,
    'npm.fetchOnlinePackageInfo': false,
    'window.restoreWindows': 'none',
    'files.hotExit': 'off',
    'chat.commandCenter.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
}

export interface Sandbox {
  dir: string;
  home: string;
  userDataDir: string;
  extensionsDir: string;
  env: NodeJS.ProcessEnv;
  writeSettings(settings: Record<string, unknown>): void;
  /** The remote machine's settings: where a code-server window reads `machine`/`machine-overridable` settings. */
  writeMachineSettings(settings: Record<string, unknown>): void;
  remove(): void;
}

/** A temp HOME/XDG tree and user-data-dir, so neither code-server nor ONNX Runtime touches real files. */
export function makeSandbox(name: string, settings: Record<string, unknown>): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dbi-${name}-`));
  const home = path.join(dir, 'home');
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(userDataDir, 'extensions');
  for (const d of [
    home,
    path.join(home, '.config'),
    path.join(home, '.cache'),
    path.join(home, '.local', 'share'),
    path.join(userDataDir, 'User'),
    extensionsDir,
    path.join(dir, 'tmp'),
  ]) {
    fs.mkdirSync(d, { recursive: true });
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    TMPDIR: path.join(dir, 'tmp'),
    EXTENSIONS_GALLERY: '{}', // no marketplace: nothing to fetch
    ONNXRUNTIME_NODE_INSTALL: 'skip',
  };
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to a VS Code that happens to run this script
  const writeSettings = (s: Record<string, unknown>): void =>
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(s, null, 2));
  writeSettings({ ...baseSettings(), ...settings });
  const writeMachineSettings = (s: Record<string, unknown>): void => {
    fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(s, null, 2));
  };
  return {
    dir,
    home,
    userDataDir,
    extensionsDir,
    env,
    writeSettings,
    writeMachineSettings,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ServerOptions {
  sandbox: Sandbox;
  workspace: string;
  /** false starts code-server without --disable-workspace-trust, so an unknown folder opens untrusted. */
  workspaceTrust?: boolean;
  env?: NodeJS.ProcessEnv;
  logName: string;
}

export interface Server {
  port: number;
  origin: string;
  logFile: string;
  stop(): void;
}

const live = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: code-server, its extension host, ptys, watchers
  } catch {
    /* already gone */
  }
}
// Whatever way this process ends, the servers it started end with it.
process.on('exit', () => {
  for (const c of live) killGroup(c, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    for (const c of live) killGroup(c, 'SIGKILL');
    process.exit(130);
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

export async function startCodeServer(opts: ServerOptions): Promise<Server> {
  const entry = codeServerEntry();
  const port = await freePort();
  fs.mkdirSync(resultsDir, { recursive: true });
  const logFile = path.join(resultsDir, `${opts.logName}.code-server.log`);
  const log = fs.openSync(logFile, 'w');
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    opts.sandbox.userDataDir,
    '--extensions-dir',
    opts.sandbox.extensionsDir,
  ];
  if (opts.workspaceTrust !== true) args.push('--disable-workspace-trust');
  args.push(opts.workspace);
  const child = spawn(process.execPath, args, {
    cwd: opts.sandbox.dir,
    env: { ...opts.sandbox.env, ...opts.env },
    detached: true, // own process group, so stop() can kill everything it forks
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  live.add(child);
  const stop = (): void => {
    killGroup(child, 'SIGTERM');
    const t = Date.now();
    // Give it a moment to close cleanly, then make sure nothing of the group survives.
    while (child.exitCode === null && child.signalCode === null && Date.now() - t < 1500) {
      spawnSync('sleep', ['0.1']);
      try {
        process.kill(-child.pid!, 0);
      } catch {
        break;
      }
    }
    killGroup(child, 'SIGKILL');
    live.delete(child);
  };
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while ((await get(`${origin}/healthz`)) !== 200) {
    if (child.exitCode !== null || child.signalCode !== null) {
      stop();
      throw new Error(`code-server exited early (${child.exitCode ?? child.signalCode}); see ${logFile}`);
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not listen on ${origin} within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, origin, logFile, stop };
}

/** Installs a VSIX into the sandbox's extensions dir with code-server's own CLI (as a user would). */
export function installVsix(sandbox: Sandbox, vsix: string): void {
  const r = spawnSync(
    process.execPath,
    [
      codeServerEntry(),
      '--user-data-dir',
      sandbox.userDataDir,
      '--extensions-dir',
      sandbox.extensionsDir,
      '--install-extension',
      vsix,
      '--force',
    ],
    { env: sandbox.env, encoding: 'utf8', timeout: 180_000 },
  );
  if (r.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}; apt-get install chromium or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** `?folder=` plus VS Code's own `payload` parameter, which code-server's web workbench honours. */
export function workbenchUrl(server: Server, workspace: string, payload?: Array<[string, string]>): string {
  const q = new URLSearchParams({ folder: workspace });
  if (payload) q.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${q.toString()}`;
}

export function remoteUri(server: Server, absPath: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${absPath}`;
}

export function writeSummary(name: string, passed: number, failed: number): void {
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, `${name}-summary.json`), JSON.stringify({ passed, failed }) + '\n');
}
