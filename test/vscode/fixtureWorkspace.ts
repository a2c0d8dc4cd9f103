// Builds a throwaway workspace folder for a VS Code run from the fixture documents in test/vscode/workspace/,
// plus the files that are better generated than committed: a long document (~20k word pieces, so classifying
// it needs many windows) and a small binary file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './codeServer';

export const fixtureDir = path.join(repoRoot, 'test', 'vscode', 'workspace');

const SENTENCES = [
  'The acting is superb and the story kept me hooked until the very last scene.',
  'I found the plot predictable, and the jokes fell flat more often than not.',
  'A warm, funny and surprisingly wise film about growing older together.',
  'The cinematography is gorgeous, but the script never gives the actors anything to do.',
  'Every minute of this movie felt like an hour; I checked my watch constantly.',
  'It is a rare sequel that improves on the original in almost every way.',
  'The soundtrack is forgettable and the editing is clumsy throughout.',
  'Her performance is quietly devastating, and the ending earns every tear.',
  'Despite a promising premise, the film collapses under its own ambition.',
  'Smart, tender and beautifully paced, this is one of the best films of the year.',
  'The dialogue sounds like it was written by someone who has never met a person.',
  'A charming little comedy that knows exactly what it wants to be.',
];

/** Deterministic English text of about `words` words in paragraphs (a small LCG picks the sentences). */
export function longText(words = 16_000): string {
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const paragraphs: string[] = [];
  let count = 0;
  let n = 0;
  while (count < words) {
    const para: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = SENTENCES[next() % SENTENCES.length]!;
      para.push(s);
      count += s.split(' ').length;
    }
    paragraphs.push(`${++n}. ${para.join(' ')}`);
  }
  return paragraphs.join('\n\n') + '\n';
}

export interface WorkspaceOptions {
  /** Written to .vscode/settings.json (workspace-level settings), e.g. a model path an untrusted repo sets. */
  workspaceSettings?: Record<string, unknown>;
}

/** Copies the fixtures into `dest` (created) and adds long.txt and binary.bin. Returns `dest`. */
export function makeWorkspace(dest: string, opts: WorkspaceOptions = {}): string {
  fs.mkdirSync(dest, { recursive: true });
  fs.cpSync(fixtureDir, dest, { recursive: true });
  fs.writeFileSync(path.join(dest, 'long.txt'), longText());
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff; // includes NUL bytes: VS Code sees binary
  fs.writeFileSync(path.join(dest, 'binary.bin'), bytes);
  if (opts.workspaceSettings) {
    fs.mkdirSync(path.join(dest, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(dest, '.vscode', 'settings.json'), JSON.stringify(opts.workspaceSettings, null, 2));
  }
  return dest;
}
