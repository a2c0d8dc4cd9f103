// Every file the core reads goes through here: it must be a regular file (not /dev/zero, a FIFO, a socket or
// a folder, whether named directly or through a symlink) and within a size limit, checked on the opened file
// before a byte is read. O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError, type InspectorErrorCode } from './errors';
import { MAX_TEXT_BYTES } from './text/textInput';

/** What a file is for, so a refusal names it and says how to fix it. */
export interface FileLimit {
  /** Largest accepted size in bytes. */
  maxBytes: number;
  /** Error code for a file that cannot be used. */
  code: InspectorErrorCode;
  /** The fix, appended to every refusal. */
  hint: string;
}

/** Text given with --file: as many bytes as the longest text the core reads can take (24 MiB). */
export const TEXT_FILE_LIMIT_BYTES = MAX_TEXT_BYTES;
/** config.json and tokenizer_config.json: a few kB in practice; generous for models with many labels. */
export const CONFIG_LIMIT_BYTES = 8 * 1024 * 1024;
/** tokenizer.json: 0.5-17 MB for real vocabularies. */
export const TOKENIZER_LIMIT_BYTES = 64 * 1024 * 1024;
/** An .onnx file with its weights inside: protobuf cannot encode a model of 2 GiB or more. */
export const ONNX_LIMIT_BYTES = 2 * 1024 * 1024 * 1024;

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** Opens `file` read-only and checks it is a regular file within the limit; the caller closes the fd. */
export function openBounded(file: string, limit: FileLimit): { fd: number; size: number; stat: fs.Stats } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InspectorError(
      limit.code,
      `Cannot read ${file}: ${code === 'ENOENT' ? 'it does not exist' : code}.`,
      limit.hint,
    );
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile())
      throw new InspectorError(limit.code, `${file} is ${kindOf(stat)}, not a regular file.`, limit.hint);
    if (stat.size > limit.maxBytes) {
      throw new InspectorError(
        limit.code === 'BAD_OPTION' ? 'TEXT_TOO_LARGE' : limit.code,
        `${file} is too large: ${formatSize(stat.size)}, more than the ${formatSize(limit.maxBytes)} this inspector reads.`,
        limit.hint,
      );
    }
    return { fd, size: stat.size, stat };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** The checked file's stat (regular, within the limit), without reading it. */
export function checkRegularFile(file: string, limit: FileLimit): fs.Stats {
  const { fd, stat } = openBounded(file, limit);
  fs.closeSync(fd);
  return stat;
}

/** The whole file, read only after the checks; never more than the size fstat reported (a growing file is cut there). */
export function readBoundedFile(file: string, limit: FileLimit): Buffer {
  const { fd, size } = openBounded(file, limit);
  try {
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, buf, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done);
  } finally {
    fs.closeSync(fd);
  }
}

/** readBoundedFile decoded as UTF-8 (JSON files; invalid bytes become U+FFFD and fail JSON.parse by name). */
export function readBoundedText(file: string, limit: FileLimit): string {
  return readBoundedFile(file, limit).toString('utf8');
}

// Linux statfs magic numbers of virtual file systems that look writable but hang or fail oddly (mkdir -p
// under /proc never returned).
const VIRTUAL_FS: Record<number, string> = {
  0x9fa0: '/proc',
  0x62656572: '/sys',
  0x64626720: 'debugfs',
  0x73636673: 'securityfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
};

/**
 * Creates (if needed) and checks a cache folder: not a file, not under /proc or /sys, writable. `name` says
 * how the user set it (e.g. "--cache-dir"), and the message says what to change.
 */
export function prepareCacheDir(dir: string, name: string, code: InspectorErrorCode = 'BAD_OPTION'): string {
  const abs = path.resolve(dir);
  const fail = (why: string) =>
    new InspectorError(
      code,
      `Cannot use ${abs} as the cache folder (${name}): ${why}.`,
      `Point ${name} at a writable folder.`,
    );
  let existing = abs;
  let st: fs.Stats | undefined;
  for (;;) {
    st = fs.statSync(existing, { throwIfNoEntry: false });
    if (st) break;
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (st && !st.isDirectory())
    throw fail(existing === abs ? `it is ${kindOf(st)}, not a folder` : `${existing} is ${kindOf(st)}, not a folder`);
  if (st && fs.statfsSync) {
    const type = fs.statfsSync(existing).type;
    if (VIRTUAL_FS[type]) throw fail(`it is on ${VIRTUAL_FS[type]}, a virtual file system`);
  }
  try {
    fs.mkdirSync(abs, { recursive: true });
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (err) {
    throw fail(`${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return abs;
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'a file';
}

/** 1536 -> "1.5 kB", 629145600 -> "629.1 MB" (decimal units, like the hub's progress). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
