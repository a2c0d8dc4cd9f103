// Core pieces behind the extension's first-ten-minutes fixes: per-surface fixes in errors (no CLI option names in
// VS Code, no setting names on the command line), the model card's accuracy figure, and the hub's download size.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, isolateHome, tempDir } from './helpers';

isolateHome();
import { hintFor, InspectorError } from '../../src/core/errors';
import { resolveModelFolder } from '../../src/core/model/modelFolder';
import { checkWindowOptions } from '../../src/core/text/windows';
import { parseCardAccuracy, readCardAccuracy } from '../../src/core/model/modelCard';
import { fetchHubModel, hubDownloadSize } from '../../src/core/hub';
import { COMMIT, FakeHub, fixtureFiles } from './hubFakes';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI_OPTION = /(^|\s|\()--[a-z]/;

function thrown(fn: () => unknown): InspectorError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InspectorError, String(err));
    return err;
  }
  return assert.fail('expected a throw');
}

describe('errors speak the surface the user is on', () => {
  const cases: Array<[string, () => unknown, RegExp, RegExp]> = [
    [
      'a missing model folder',
      () => resolveModelFolder(path.join(tempDir('dbi-none-'), 'nope')),
      /--model/,
      /distilbertInspector\.model\.path/,
    ],
    [
      'too many tokens per window',
      () => checkWindowOptions(900, 10, 512),
      /--window-tokens/,
      /distilbertInspector\.windowTokens/,
    ],
    [
      'an overlap that leaves no room',
      () => checkWindowOptions(64, 62, 512),
      /--overlap/,
      /distilbertInspector\.windowOverlap/,
    ],
  ];
  for (const [what, fn, cli, vscode] of cases) {
    it(`${what}: the CLI fix names its option, the VS Code fix its setting, the neutral hint neither`, () => {
      const e = thrown(fn);
      assert.match(hintFor(e, 'cli'), cli);
      assert.doesNotMatch(hintFor(e, 'cli'), /distilbertInspector\./);
      assert.match(hintFor(e, 'vscode'), vscode);
      assert.doesNotMatch(hintFor(e, 'vscode'), CLI_OPTION);
      assert.doesNotMatch(e.hint, CLI_OPTION);
      assert.doesNotMatch(e.hint, /distilbertInspector\./);
      assert.match(e.oneLine('vscode'), /\.$/, 'a full sentence with its full stop');
    });
  }
  it('a plain object from the worker keeps its per-surface fixes', () => {
    const wire = {
      code: 'MODEL_NOT_FOUND',
      message: 'm.',
      hint: 'neutral.',
      hints: { cli: 'cli.', vscode: 'vscode.' },
    };
    assert.equal(hintFor(wire, 'vscode'), 'vscode.');
    assert.equal(hintFor({ hint: 'neutral.' }, 'cli'), 'neutral.');
  });
});

describe('model card accuracy', () => {
  it("reads the bundled card's dev accuracy, which matches the card's own confusion matrix", () => {
    const dir = path.join(REPO_ROOT, 'models', 'distilbert-sst2-small');
    const card = readCardAccuracy(dir);
    assert.ok(card, 'no accuracy line in the bundled model card');
    assert.equal(card.dataset, 'SST-2');
    assert.equal(card.cardPath, path.join(dir, 'README.md'));
    // Independent: the confusion matrix [[TN, FP], [FN, TP]] the card prints next to the figure.
    const text = fs.readFileSync(card.cardPath, 'utf8');
    const m = /\[\[(\d+), (\d+)\], \[(\d+), (\d+)\]\]/.exec(text);
    assert.ok(m, 'no confusion matrix in the card');
    const [tn, fp, fn, tp] = m.slice(1).map(Number) as [number, number, number, number];
    assert.ok(Math.abs(card.accuracy - (tn + tp) / (tn + fp + fn + tp)) < 5e-5, `${card.accuracy} vs the matrix`);
  });
  it('takes percentages, and refuses cards without a figure or with an impossible one', () => {
    assert.equal(parseCardAccuracy('Accuracy (IMDB test): 91.5%')?.accuracy, 0.915);
    assert.equal(parseCardAccuracy('Accuracy (IMDB test): 91.5%')?.dataset, 'IMDB');
    assert.equal(parseCardAccuracy('# A model\nNo numbers here.'), undefined);
    assert.equal(parseCardAccuracy('accuracy (x): 7.5'), undefined);
    assert.equal(readCardAccuracy(path.join(FIXTURES, 'does-not-exist')), undefined);
  });
});

describe('hub download size, asked before downloading', () => {
  let hub: FakeHub;
  const cacheDir = tempDir('dbi-size-cache-');
  const files = fixtureFiles();
  before(async () => {
    hub = await new FakeHub().start();
    hub.repos.set('Xenova/sized', { commit: COMMIT, files });
  });
  after(async () => {
    await hub.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });
  it("sums the sizes the hub reports for the variant's files (HEAD only), then knows a cached copy", async () => {
    const size = await hubDownloadSize('Xenova/sized', { cacheDir, endpoint: hub.hubUrl, variant: 'fp32', env: {} });
    const expected = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']
      .filter((f) => files.has(f))
      .reduce((a, f) => a + files.get(f)!.length, 0);
    assert.equal(size.totalBytes, expected);
    assert.equal(size.commit, COMMIT);
    assert.equal(size.cached, false);
    assert.equal(hub.of('hub', 'GET').length + hub.of('cdn', 'GET').length, 0, 'nothing was downloaded');
    await fetchHubModel('Xenova/sized', { cacheDir, endpoint: hub.hubUrl, variant: 'fp32', env: {} });
    assert.equal(
      (await hubDownloadSize('Xenova/sized', { cacheDir, endpoint: hub.hubUrl, variant: 'fp32', env: {} })).cached,
      true,
    );
  });
});
