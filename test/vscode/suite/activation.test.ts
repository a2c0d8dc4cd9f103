// Activation is lazy and cheap, and everything package.json promises is registered.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';

suite('activation', () => {
  // The time is printed (and quoted in the closing note), not asserted: a wall-clock bound fails on a busy
  // machine without anything being wrong. What keeps activation cheap is asserted: nothing heavy loads.
  test('activates without loading ONNX Runtime or the model', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const wasActive = ext.isActive;
    const t0 = performance.now();
    const a = await api();
    const wall = performance.now() - t0;
    console.log(
      `[mocha] activate() took ${a.activationMs.toFixed(1)} ms` +
        (wasActive ? '' : `; loading + activating ${wall.toFixed(1)} ms`),
    );
    assert.equal(a.models.currentModel(), undefined, 'the model must load on first use, not at activation');
    const heavy = Object.keys(require.cache).filter((k) => /onnxruntime-node|@huggingface[\\/]tokenizers/.test(k));
    assert.deepEqual(heavy, [], 'activation must not load onnxruntime-node or the tokenizer');
  });

  test('activation events are lazy (no "*", no onStartupFinished)', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { activationEvents?: string[] };
    for (const e of pkg.activationEvents ?? []) {
      assert.ok(e !== '*' && e !== 'onStartupFinished', `eager activation event ${e}`);
    }
  });

  test('every command in package.json is registered, and menus and keybindings name declared commands', async () => {
    await api();
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: {
        commands: { command: string; title: string; category?: string }[];
        menus?: Record<string, { command: string }[]>;
        keybindings?: { command: string }[];
      };
    };
    const declared = pkg.contributes.commands.map((c) => c.command);
    assert.ok(declared.length >= 5, 'package.json declares the five commands of the contract');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
    for (const c of pkg.contributes.commands)
      assert.equal(c.category, 'DistilBERT', `${c.command} has category DistilBERT`);
    const referenced = [
      ...Object.values(pkg.contributes.menus ?? {})
        .flat()
        .map((m) => m.command),
      ...(pkg.contributes.keybindings ?? []).map((k) => k.command),
    ];
    for (const c of referenced) assert.ok(declared.includes(c), `menu/keybinding names undeclared command ${c}`);
  });

  test('"Show Log" runs', async () => {
    await vscode.commands.executeCommand('distilbertInspector.showLog');
  });
});
