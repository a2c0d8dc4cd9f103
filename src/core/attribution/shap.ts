// Partition SHAP (hierarchical occlusion): Owen values of the words over a hierarchy words -> phrases ->
// sentences. At each node the children play a Shapley game inside every context the node inherits (its
// ancestors' siblings present or absent, with their Shapley weights), so the values add up exactly: the
// children's values sum to their parent's and the words' to v(all) - v(none). A flat hierarchy (one level of
// words) gives exact Shapley values. Forward passes are bounded by `budget`: nodes are expanded largest |value|
// first while their coalitions fit; an unexpanded node's value is split evenly over its words. Pure: the value
// function (one forward pass per coalition, batched by the caller) is passed in.

/** A node of the hierarchy: a leaf is one item (word); an inner node has >= 2 children. */
export interface HNode {
  items: number[];
  children: HNode[];
}

/** The values and what they cost. */
export interface OwenResult {
  values: number[];
  /** Distinct coalitions evaluated (forward passes), v(none) and v(all) included. */
  evaluations: number;
  /** True when every node was expanded: exact Owen values (exact Shapley values for a flat hierarchy). */
  exact: boolean;
}

/** Evaluates coalitions: one number per presence mask (1 = the item is present). */
export type ValueFunction = (masks: Uint8Array[]) => Promise<number[]>;

/** Flat hierarchy (root -> items): Owen values are then Shapley values. */
export function flatHierarchy(n: number): HNode {
  const leaves = Array.from({ length: n }, (_, i) => ({ items: [i], children: [] }));
  return n === 1 ? leaves[0]! : { items: leaves.map((l) => l.items[0]!), children: leaves };
}

/**
 * A binary hierarchy over items 0..n-1 split where the text breaks most strongly: `strength[i]` is the break
 * between item i and i+1 (sentence end > clause punctuation > a plain space). Splits are taken from the middle
 * half of a span, so the tree stays shallow (its depth sets how many contexts a word is measured in).
 */
export function splitHierarchy(strength: readonly number[], from = 0, to = strength.length + 1): HNode {
  const items = Array.from({ length: to - from }, (_, i) => from + i);
  if (items.length === 1) return { items, children: [] };
  const n = to - from;
  const lo = Math.max(1, Math.ceil(n / 4));
  const hi = Math.min(n - 1, Math.floor((3 * n) / 4));
  let best = lo;
  for (let p = lo; p <= hi; p++) {
    const s = strength[from + p - 1] ?? 0;
    const b = strength[from + best - 1] ?? 0;
    if (s > b || (s === b && Math.abs(2 * p - n) < Math.abs(2 * best - n))) best = p;
  }
  return { items, children: [splitHierarchy(strength, from, from + best), splitHierarchy(strength, from + best, to)] };
}

/** Break strength after each word: 3 after . ! ? (sentence), 2 after , ; : and dashes (clause), 1 otherwise. */
export function breakStrengths(words: readonly string[]): number[] {
  return words.slice(0, -1).map((w) => (/[.!?。！？]$/u.test(w) ? 3 : /^[,;:–—-]+$|[,;:]$/u.test(w) ? 2 : 1));
}

interface Context {
  mask: Uint8Array;
  weight: number;
}

interface Task {
  node: HNode;
  contexts: Context[];
  value: number;
}

const MAX_BATCH = 256;

/**
 * Owen values of `n` items over `root` with at most `budget` distinct coalitions evaluated. `allValue`, when the
 * caller already has v(all) (the unperturbed text's pass), is used instead of evaluating it again.
 */
export async function owenValues(
  n: number,
  root: HNode,
  value: ValueFunction,
  budget: number,
  allValue?: number,
): Promise<OwenResult> {
  const cache = new Map<string, number>();
  const key = (m: Uint8Array) => m.join('');
  if (allValue !== undefined) cache.set('1'.repeat(n), allValue);
  const evaluate = async (masks: Uint8Array[]) => {
    const todo = new Map<string, Uint8Array>();
    for (const m of masks) if (!cache.has(key(m))) todo.set(key(m), m);
    const list = [...todo.values()];
    for (let i = 0; i < list.length; i += MAX_BATCH) {
      const part = list.slice(i, i + MAX_BATCH);
      const vs = await value(part);
      part.forEach((m, j) => cache.set(key(m), vs[j]!));
    }
  };
  const none = new Uint8Array(n);
  const all = new Uint8Array(n).fill(1);
  await evaluate([none, all]);
  const values = new Array<number>(n).fill(0);
  let exact = true;
  const queue: Task[] = [
    { node: root, contexts: [{ mask: none, weight: 1 }], value: cache.get(key(all))! - cache.get(key(none))! },
  ];
  while (queue.length > 0) {
    queue.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
    // Take the largest tasks whose new coalitions fit the budget into one batch of forward passes.
    const batch: { task: Task; masks: Uint8Array[] }[] = [];
    const planned = new Set<string>();
    for (let i = 0; i < queue.length && planned.size < MAX_BATCH;) {
      const task = queue[i]!;
      if (task.node.children.length === 0) {
        values[task.node.items[0]!] = task.value;
        queue.splice(i, 1);
        continue;
      }
      const masks = coalitions(task);
      const fresh = masks.map(key).filter((k) => !cache.has(k) && !planned.has(k));
      if (cache.size + planned.size + new Set(fresh).size > budget) {
        i++;
        continue;
      }
      fresh.forEach((k) => planned.add(k));
      batch.push({ task, masks });
      queue.splice(i, 1);
    }
    if (batch.length === 0) {
      // Nothing left fits the budget: split each remaining node's value evenly over its items.
      for (const t of queue) for (const it of t.node.items) values[it]! += t.value / t.node.items.length;
      exact = queue.every((t) => t.node.children.length === 0);
      break;
    }
    await evaluate(batch.flatMap((b) => b.masks));
    for (const { task } of batch) queue.push(...expand(task, (m) => cache.get(key(m))!));
  }
  return { values, evaluations: cache.size, exact };
}

/** Shapley weight of a coalition of s other players among k: s!(k-s-1)!/k!. */
function shapleyWeight(s: number, k: number): number {
  let w = 1 / k;
  // 1/(k * C(k-1, s))
  for (let i = 1; i <= s; i++) w *= i / (k - i);
  return w;
}

function withItems(mask: Uint8Array, children: readonly HNode[], subset: number): Uint8Array {
  const m = mask.slice();
  children.forEach((c, j) => {
    if (subset & (1 << j)) for (const it of c.items) m[it] = 1;
  });
  return m;
}

/** Every coalition a node's children game needs: each context with each subset of the children. */
function coalitions(task: Task): Uint8Array[] {
  const k = task.node.children.length;
  const out: Uint8Array[] = [];
  for (const c of task.contexts) for (let s = 0; s < 1 << k; s++) out.push(withItems(c.mask, task.node.children, s));
  return out;
}

/** The children's Shapley values in each context, weighted; each child inherits the contexts it was measured in. */
function expand(task: Task, v: (m: Uint8Array) => number): Task[] {
  const kids = task.node.children;
  const k = kids.length;
  const popcount = (x: number) => {
    let c = 0;
    for (; x; x &= x - 1) c++;
    return c;
  };
  return kids.map((child, j) => {
    let value = 0;
    const contexts = new Map<string, Context>();
    for (const c of task.contexts) {
      for (let s = 0; s < 1 << k; s++) {
        if (s & (1 << j)) continue;
        const w = c.weight * shapleyWeight(popcount(s), k);
        const without = withItems(c.mask, kids, s);
        value += w * (v(withItems(c.mask, kids, s | (1 << j))) - v(without));
        const id = without.join('');
        const had = contexts.get(id);
        if (had) had.weight += w;
        else contexts.set(id, { mask: without, weight: w });
      }
    }
    return { node: child, contexts: [...contexts.values()], value };
  });
}
