// Gold labels as the file spells them (names, or integer ids) mapped onto the model's label order.
import { InspectorError } from '../errors';

/** How the file's labels were read. */
export type LabelKind = 'ids' | 'names' | 'mapped';

/** Maps each distinct raw label of a file to a model label index, or explains why it cannot. */
export function labelMapper(
  raw: Iterable<string>,
  modelLabels: string[],
  file: string,
  explicit?: Record<string, string>,
): { kind: LabelKind; map: Map<string, number> } {
  const distinct = [...new Set(raw)];
  const map = new Map<string, number>();
  if (explicit) {
    for (const v of distinct) {
      const target = explicit[v];
      const i = target === undefined ? -1 : modelLabels.indexOf(target);
      if (i < 0) {
        throw new InspectorError(
          'DATASET_INVALID',
          `${file}: label "${v}" has no mapping to the model's labels (${modelLabels.join(', ')}).`,
          `Add it to --label-map, e.g. ${v}=${modelLabels[0]}.`,
        );
      }
      map.set(v, i);
    }
    return { kind: 'mapped', map };
  }
  const isId = (v: string) => /^\s*-?\d+\s*$/.test(v);
  const ids = distinct.filter(isId);
  if (ids.length > 0 && ids.length < distinct.length) {
    const names = distinct.filter((v) => !isId(v));
    throw new InspectorError(
      'DATASET_INVALID',
      `${file}: the label column mixes ids (${ids.slice(0, 3).join(', ')}) and names (${names
        .slice(0, 3)
        .map((n) => `"${n}"`)
        .join(', ')}).`,
      'Use one kind throughout, or map them with --label-map.',
    );
  }
  if (ids.length > 0) {
    for (const v of distinct) {
      const i = Number(v);
      if (i < 0 || i >= modelLabels.length) {
        throw new InspectorError(
          'DATASET_INVALID',
          `${file}: label id ${i} is outside the model's ${modelLabels.length} labels (0..${modelLabels.length - 1}: ${modelLabels.join(', ')}).`,
          `Map the ids with --label-map, e.g. ${i}=${modelLabels[0]}.`,
        );
      }
      map.set(v, i);
    }
    return { kind: 'ids', map };
  }
  const byLower = new Map(modelLabels.map((l, i) => [l.toLowerCase(), i]));
  const unknown: string[] = [];
  for (const v of distinct) {
    const i = byLower.get(v.trim().toLowerCase());
    if (i === undefined) unknown.push(v);
    else map.set(v, i);
  }
  if (unknown.length) {
    throw new LabelMappingNeeded(
      distinct,
      `${file}: the model has no label ${unknown
        .slice(0, 5)
        .map((u) => `"${u}"`)
        .join(
          ', ',
        )}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''}; its labels are ${modelLabels.join(', ')}.`,
      `Map them with --label-map, e.g. --label-map "${unknown[0]}=${modelLabels[0]}".`,
    );
  }
  return { kind: 'names', map };
}

/** The file's labels are not the model's: the editor offers a mapping of `fileLabels` (the CLI names --label-map). */
export class LabelMappingNeeded extends InspectorError {
  constructor(
    readonly fileLabels: string[],
    message: string,
    hint: string,
  ) {
    super('DATASET_INVALID', message, hint);
  }
}

/** Parses `a=X,b=Y` (the CLI's --label-map). */
export function parseLabelMap(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0 || eq === part.length - 1)
      throw new InspectorError(
        'BAD_OPTION',
        `--label-map: "${part}" is not FILE_LABEL=MODEL_LABEL.`,
        'Write it as 0=NEGATIVE,1=POSITIVE.',
      );
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
