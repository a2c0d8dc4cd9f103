// A tiny schema library: each schema is a run-time check of untrusted data, and `Infer<typeof schema>` is the
// TypeScript type it checks. The protocol declares every message once, as a schema, so its types and its guards
// cannot drift apart. In-repo rather than a dependency: the webview bundle stays small and the checks stay
// exact (finite numbers, safe integers, own-key tags, lengths that depend on other fields).

/** A run-time check of untrusted data; `Infer` gives the type it checks. */
export interface Schema<T> {
  readonly is: (x: unknown) => x is T;
  /** An object's fields (objects only), for tests that walk a schema. */
  readonly fields?: Readonly<Record<string, Schema<unknown>>>;
  /** A tagged union's tag and cases (unions only), for tests that walk a schema. */
  readonly tag?: string;
  readonly cases?: Readonly<Record<string, Schema<unknown>>>;
  /** An array's item, or a tuple's items, for tests that walk a schema. */
  readonly item?: Schema<unknown>;
  readonly items?: readonly Schema<unknown>[];
  /** Set by `optional`: the field may be missing. */
  readonly optional?: boolean;
}

/** A field that may be missing (`key?: T`). */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
  readonly inner: Schema<T>;
}

/** The type a schema checks. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** An object's fields by name. */
export type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]-?: S[K] extends { optional: true } ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] } & {};
/** The object type of a shape: optional fields become `key?: T`. */
export type InferShape<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
    [K in OptionalKeys<S>]?: S[K] extends OptionalSchema<infer T> ? T : never;
  }
>;

/** True when A and B are the same type (optional fields and all); used to pin a schema to a core type. */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Fails to compile unless A and B are the same type: `sameType<Infer<typeof s>, CoreType>(true)`. */
export function sameType<A, B>(_proof: Same<A, B>): void {}

const schema = <T>(is: (x: unknown) => boolean): Schema<T> => ({ is: is as (x: unknown) => x is T });

export const str = schema<string>((x) => typeof x === 'string');
export const bool = schema<boolean>((x) => typeof x === 'boolean');
/** A finite number (NaN and ±Infinity are rejected). */
export const num = schema<number>((x) => typeof x === 'number' && Number.isFinite(x));
/** A safe integer ≥ 0. */
export const index = schema<number>((x) => Number.isSafeInteger(x) && (x as number) >= 0);

/** One of the given constant values. */
export function literal<const L extends readonly (string | number | boolean)[]>(...values: L): Schema<L[number]> {
  return schema((x) => values.includes(x as L[number]));
}

export function array<T>(item: Schema<T>): Schema<T[]> {
  return { ...schema<T[]>((x) => Array.isArray(x) && x.every(item.is)), item };
}

export function tuple<A, B>(a: Schema<A>, b: Schema<B>): Schema<[A, B]> {
  return { ...schema<[A, B]>((x) => Array.isArray(x) && x.length === 2 && a.is(x[0]) && b.is(x[1])), items: [a, b] };
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** An object used as a map (e.g. keyed by label): every own value passes `value`. */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return schema((x) => isPlainObject(x) && Object.values(x).every(value.is));
}

/** An object with these fields; other keys are allowed (use `strict` for input that must be exactly this). */
export function object<S extends Shape>(fields: S): Schema<InferShape<S>> {
  const keys = Object.keys(fields);
  return { ...schema((x) => isPlainObject(x) && keys.every((k) => fields[k]!.is(x[k]))), fields };
}

/** Like `object`, but any key not in the shape fails (for messages from the untrusted webview). */
export function strict<S extends Shape>(fields: S): Schema<InferShape<S>> {
  const base = object(fields);
  return {
    ...base,
    is: ((x: unknown) =>
      base.is(x) &&
      Object.keys(x as object).every((k) => Object.prototype.hasOwnProperty.call(fields, k))) as typeof base.is,
  };
}

/** A field that may be missing or undefined (`key?: T`). */
export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return { is: ((x: unknown) => x === undefined || inner.is(x)) as OptionalSchema<T>['is'], optional: true, inner };
}

/** A field that is always present in the type but may be undefined (`key: T | undefined`; JSON drops it). */
export function orUndefined<T>(inner: Schema<T>): Schema<T | undefined> {
  return schema((x) => x === undefined || inner.is(x));
}

export function orNull<T>(inner: Schema<T>): Schema<T | null> {
  return schema((x) => x === null || inner.is(x));
}

/** A further check on an already well-typed value (lengths that depend on other fields, ordered ranges). */
export function refine<T>(base: Schema<T>, ok: (x: T) => boolean): Schema<T> {
  return { ...base, is: ((x: unknown) => base.is(x) && ok(x)) as Schema<T>['is'] };
}

/** Either schema (for a case with two shapes). */
export function either<A, B>(a: Schema<A>, b: Schema<B>): Schema<A | B> {
  return schema((x) => a.is(x) || b.is(x));
}

type Case = Shape | Schema<object>;
type InferCase<Tag extends string, K extends string, C> =
  C extends Schema<infer T> ? T : C extends Shape ? Flat<{ [P in Tag]: K } & InferShape<C>> : never;
/** The union of a tagged union's cases. */
export type InferCases<Tag extends string, C extends Record<string, Case>> = {
  [K in keyof C & string]: InferCase<Tag, K, C[K]>;
}[keyof C & string];

/**
 * A union tagged by `tag` (e.g. `type` or `kind`): each case is the fields besides the tag, or a whole schema
 * that checks the tag itself. Only own keys of `cases` are tags, so "toString" or "__proto__" is no case.
 */
export function tagged<Tag extends string, C extends Record<string, Case>>(
  tag: Tag,
  cases: C,
  opts: { strict?: boolean } = {},
): Schema<InferCases<Tag, C>> {
  const make = opts.strict ? strict : object;
  const built: Record<string, Schema<unknown>> = {};
  for (const [k, c] of Object.entries(cases)) {
    built[k] =
      typeof (c as Schema<unknown>).is === 'function'
        ? (c as Schema<unknown>)
        : make({ [tag]: literal(k), ...(c as Shape) });
  }
  const is = (x: unknown): boolean => {
    if (!isPlainObject(x)) return false;
    const t = x[tag];
    return typeof t === 'string' && Object.prototype.hasOwnProperty.call(built, t) && built[t]!.is(x);
  };
  return { is: is as Schema<InferCases<Tag, C>>['is'], tag, cases: built };
}
