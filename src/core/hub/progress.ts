// Download progress for a terminal: one redrawn bar on a TTY, a few plain lines otherwise (logs, CI),
// so a piped stderr never fills with carriage returns.
import type { HubProgress } from './fetchModel';

/** The writable part of a stream (process.stderr in the CLI). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** One line: `onnx/model.onnx [#########-----------]  45%  118.2 MB / 255.5 MB  12.3 MB/s`. */
export function renderLine(p: HubProgress, bytesPerSecond: number | undefined, width: number): string {
  const total = p.overallTotal;
  const frac = total ? Math.min(1, p.overallReceived / total) : undefined;
  const pct = frac === undefined ? '' : `${String(Math.floor(frac * 100)).padStart(3)}%`;
  const amount = total ? `${formatBytes(p.overallReceived)} / ${formatBytes(total)}` : formatBytes(p.overallReceived);
  const rate = bytesPerSecond !== undefined && bytesPerSecond > 0 ? `${formatBytes(Math.round(bytesPerSecond))}/s` : '';
  const tail = [pct, amount, rate].filter(Boolean).join('  ');
  const barWidth = Math.max(10, Math.min(30, width - p.file.length - tail.length - 6));
  const filled = frac === undefined ? 0 : Math.round(frac * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  return `${p.file} ${bar} ${tail}`.slice(0, Math.max(20, width - 1));
}

/** Draws HubProgress events; call done() before printing anything else to the same stream. */
export class TerminalProgress {
  private samples: Array<{ t: number; bytes: number }> = [];
  private lastDraw = 0;
  private lastFile = '';
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly out: ProgressStream,
    private readonly label: string,
    private readonly now: () => number = Date.now,
  ) {}

  update(p: HubProgress): void {
    const t = this.now();
    this.samples.push({ t, bytes: p.overallReceived });
    // Rate over the last ~3 s, so it follows the connection instead of averaging since the start.
    while (this.samples.length > 2 && t - this.samples[0]!.t > 3000) this.samples.shift();
    const first = this.samples[0]!;
    const rate = t > first.t ? ((p.overallReceived - first.bytes) * 1000) / (t - first.t) : undefined;
    if (this.out.isTTY) {
      const fileDone = p.total !== undefined && p.received >= p.total;
      if (!fileDone && t - this.lastDraw < 100 && p.file === this.lastFile) return;
      this.lastDraw = t;
      this.lastFile = p.file;
      this.out.write(`\r${renderLine(p, rate, this.out.columns || 80)}\x1b[K`);
      this.drawn = true;
      return;
    }
    // Plain output: one line when a file starts and at every 10% of the whole download.
    const decile = p.overallTotal ? Math.floor((p.overallReceived / p.overallTotal) * 10) : -1;
    if (p.file !== this.lastFile || decile > this.lastDecile) {
      this.lastFile = p.file;
      this.lastDecile = Math.max(this.lastDecile, decile);
      this.out.write(`${this.label}: ${renderLine(p, rate, 120)}\n`);
    }
  }

  /** Ends the bar line (TTY) and prints the outcome. */
  done(message: string): void {
    this.clear();
    this.out.write(`${this.label}: ${message}\n`);
  }

  /** Removes the bar (before an error line, which then stands alone). */
  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

/**
 * For a notification (VS Code's withProgress): a short message and the overall percent, so the caller only
 * reports `increment: percent - lastPercent`.
 */
export function describeProgress(p: HubProgress): { message: string; percent: number | undefined } {
  const percent = p.overallTotal ? Math.min(100, (p.overallReceived / p.overallTotal) * 100) : undefined;
  const amount = p.overallTotal
    ? `${formatBytes(p.overallReceived)} of ${formatBytes(p.overallTotal)}`
    : formatBytes(p.overallReceived);
  return { message: `${p.file}: ${amount}`, percent };
}
