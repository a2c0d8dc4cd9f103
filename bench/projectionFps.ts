// Frame rate of the dataset panel's projection while the user pans it (`npm run bench` runs it after dataset
// mode; `node out/bench/projectionFps.js [POINTS]` alone). The real dataset webview bundle runs in headless
// Chromium under the panel's own HTML shell and CSP, fed 10,000 synthetic points; the mouse drags the canvas
// for a few seconds while requestAnimationFrame timestamps are recorded in the page.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import webpack from 'webpack';
import { chromium, type Page } from 'playwright-core';
import { makeNonce, renderShell } from '../src/extension/panel/html';
import type { DatasetView } from '../src/shared/datasetProtocol';
import { seededRandom } from '../src/core/dataset/umap';
import { packageRoot } from '../src/core/inspector';

const ORIGIN = 'https://webview.test';
const PAN_MS = 4000;

async function bundle(): Promise<string> {
  const entry = path.join(packageRoot(), 'out', 'src', 'webview', 'dataset', 'main.js');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-bench-webview-'));
  try {
    const compiler = webpack({
      mode: 'production',
      devtool: false,
      target: 'web',
      entry,
      output: { path: outDir, filename: 'datasetWebview.js' },
      infrastructureLogging: { level: 'error' },
    });
    await new Promise<void>((resolve, reject) =>
      compiler.run((err, stats) =>
        err || stats?.hasErrors()
          ? reject(err ?? new Error(stats?.toString('errors-only')))
          : compiler.close(() => resolve()),
      ),
    );
    return fs.readFileSync(path.join(outDir, 'datasetWebview.js'), 'utf8');
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** n examples in four Gaussian clusters, two labels, a tenth of them misclassified. */
function syntheticView(n: number): DatasetView {
  const r = seededRandom(5);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const x: number[] = [],
    y: number[] = [];
  const rows: DatasetView['rows'] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    x.push((c % 2) * 6 + gauss());
    y.push(Math.floor(c / 2) * 6 + gauss());
    const gold = c % 2,
      predicted = r() < 0.1 ? 1 - gold : gold;
    rows.push({
      text: `synthetic example ${i}`,
      line: i + 2,
      gold,
      predicted,
      probs: predicted ? [0.2, 0.8] : [0.8, 0.2],
    });
  }
  return {
    source: {
      file: '/bench/synthetic.jsonl',
      sha256: '0'.repeat(64),
      textColumn: 'text',
      labelColumn: 'label',
      labelMap: null,
      modelPath: 'synthetic',
      variant: 'fp32',
    },
    file: '/bench/synthetic.jsonl',
    fileName: 'synthetic.jsonl',
    modelName: 'synthetic',
    labels: ['NEGATIVE', 'POSITIVE'],
    textColumn: 'text',
    labelColumn: 'label',
    skipped: 0,
    fromCache: n,
    runMs: 0,
    rows,
    metrics: null,
    confusion: null,
    headStudy: null,
    headUnits: { activeRate: [], dead: [], topUnits: [], meanContribution: {} },
    projection: { source: 'cls', method: 'pca', x, y, explained: [0.5, 0.3], seed: 42, ms: 0 },
    projectionSources: [{ id: 'cls', name: '[CLS] after block 6' }],
  };
}

async function open(page: Page, code: string): Promise<void> {
  const nonce = makeNonce();
  const css = fs.readFileSync(path.join(packageRoot(), 'media', 'dataset.css'), 'utf8');
  await page.route(`${ORIGIN}/**`, (route) => {
    const files: Record<string, [string, string]> = {
      '/index.html': [
        'text/html',
        renderShell({
          cspSource: ORIGIN,
          nonce,
          scriptUri: `${ORIGIN}/dist/datasetWebview.js`,
          styleUri: `${ORIGIN}/media/dataset.css`,
        }),
      ],
      '/dist/datasetWebview.js': ['application/javascript', code],
      '/media/dataset.css': ['text/css', css],
    };
    const f = files[new URL(route.request().url()).pathname];
    return f ? route.fulfill({ status: 200, contentType: f[0], body: f[1] }) : route.fulfill({ status: 404, body: '' });
  });
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    w.acquireVsCodeApi = () => ({
      postMessage: () => undefined,
      getState: () => ({ tab: 'projection' }),
      setState: () => undefined,
    });
    // Every redraw ends with one putImageData, called from an animation frame: the time from the frame's start
    // to its end is the draw's cost (script only; the compositor's share shows in the frame intervals).
    const put = CanvasRenderingContext2D.prototype.putImageData;
    const raf = window.requestAnimationFrame.bind(window);
    const drawMs: number[] = [];
    let frameStart = 0;
    w.__drawMs = drawMs;
    window.requestAnimationFrame = (cb) => raf((t) => ((frameStart = performance.now()), cb(t)));
    CanvasRenderingContext2D.prototype.putImageData = function (this: CanvasRenderingContext2D, ...a: unknown[]) {
      (put as (...args: unknown[]) => void).apply(this, a);
      drawMs.push(performance.now() - frameStart);
    };
  });
  await page.goto(`${ORIGIN}/index.html`);
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

interface PanFigures {
  /** requestAnimationFrame intervals while panning (ms). */
  intervals: number[];
  /** Cost of each redraw (ms). */
  drawMs: number[];
  moves: number;
}

/**
 * Pans for PAN_MS with the button held. `mouse`: Chromium's real input path (playwright's mouse, one DevTools
 * round trip per move, so moves arrive slower than frames on a loaded machine). `every frame`: a pointermove
 * dispatched in the page at every animation frame, so every frame has a pan to draw (the worst case). `still`:
 * the button held and nothing moving, the page's own frame rate on this machine for comparison.
 */
async function pan(page: Page, how: 'still' | 'mouse' | 'every frame'): Promise<PanFigures> {
  const box = (await page.locator('section.projection canvas').boundingBox())!;
  const cx = box.x + box.width / 2,
    cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const drawn0 = await page.evaluate(() => (window as unknown as { __drawMs: number[] }).__drawMs.length);
  await page.evaluate(
    ([cx, cy, synthetic]) => {
      const w = window as unknown as { __frames: number[]; __recording: boolean; __moves: number };
      const canvas = document.querySelector('section.projection canvas')!;
      w.__frames = [];
      w.__recording = true;
      w.__moves = 0;
      const tick = (t: number) => {
        w.__frames.push(t);
        if (synthetic) {
          const a = (w.__moves++ / 40) * 2 * Math.PI;
          canvas.dispatchEvent(
            new PointerEvent('pointermove', {
              clientX: cx + 120 * Math.cos(a),
              clientY: cy + 80 * Math.sin(a),
              pointerId: 1,
              bubbles: true,
            }),
          );
        }
        if (w.__recording) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    },
    [cx, cy, how === 'every frame'] as const,
  );
  const t0 = Date.now();
  let moves = 0;
  while (Date.now() - t0 < PAN_MS) {
    if (how === 'mouse') {
      const a = (moves / 40) * 2 * Math.PI;
      await page.mouse.move(cx + 120 * Math.cos(a), cy + 80 * Math.sin(a));
      moves++;
    } else await page.waitForTimeout(100);
  }
  const out = await page.evaluate((drawn0) => {
    const w = window as unknown as { __frames: number[]; __recording: boolean; __moves: number; __drawMs: number[] };
    w.__recording = false;
    return { frames: w.__frames, moves: w.__moves, drawMs: w.__drawMs.slice(drawn0) };
  }, drawn0);
  await page.mouse.up();
  return {
    intervals: out.frames.slice(1).map((t, i) => t - out.frames[i]!),
    drawMs: out.drawMs,
    moves: how === 'mouse' ? moves : out.moves,
  };
}

export async function benchProjectionFps(points = 10_000): Promise<void> {
  console.log('\n## dataset projection: panning frame rate');
  const code = await bundle();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu'],
  });
  try {
    for (const dpr of [1, 2]) {
      const page = await browser.newPage({ viewport: { width: 920, height: 900 }, deviceScaleFactor: dpr });
      await open(page, code);
      await page.evaluate((v) => window.postMessage({ type: 'dataset', view: v }, '*'), syntheticView(points));
      await page.waitForSelector('section.projection canvas');
      await page.waitForTimeout(300);
      for (const how of ['still', 'mouse', 'every frame'] as const) {
        const f = await pan(page, how);
        const fps = (q: number) => (1000 / quantile(f.intervals, q)).toFixed(1);
        const draw = (q: number) => (f.drawMs.length ? quantile(f.drawMs, q).toFixed(1) : '-');
        console.log(
          `projection pan (${how}), ${points.toLocaleString('en-US')} points, devicePixelRatio ${dpr}: median ${fps(0.5)} fps, 5th percentile ${fps(0.95)} fps over ${f.intervals.length} frames; ${f.drawMs.length} redraws for ${f.moves} moves, draw median ${draw(0.5)} ms, 95th percentile ${draw(0.95)} ms   target >= 30 fps`,
        );
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  void benchProjectionFps(process.argv[2] ? Number(process.argv[2]) : undefined).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
