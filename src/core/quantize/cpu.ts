// Whether this CPU multiplies u8 x s8 without saturating, which decides between full 8-bit weights and
// ORT's reduce_range (7-bit weights). x86 CPUs without VNNI sum pairs of u8 x s8 products into int16
// (vpmaddubsw), which saturates when both operands are large; VNNI/AMX (vpdpbusd, tdpbusd) accumulate
// straight into int32, and ARM64 widens every product before adding.
import * as fs from 'node:fs';

/** What the quantizer and the `auto` variant need to know about the CPU. */
export interface Int8Cpu {
  /** u8 x s8 dot products never saturate, so full-range int8 weights are exact and fast. */
  fastInt8: boolean;
  /** Why, for logs and the quantize command's output. */
  reason: string;
}

/** Flags that give x86 a non-saturating u8 x s8 dot product. */
const VNNI_FLAGS = ['avx512_vnni', 'avx_vnni', 'amx_int8'];

/** Classifies the CPU from its architecture and, on x86, its feature flags (`cpuinfo` text on Linux). */
export function classifyCpu(arch: string, cpuinfo: string | undefined): Int8Cpu {
  if (arch === 'arm64') return { fastInt8: true, reason: 'ARM64 widens u8 x s8 products before adding them' };
  if (arch !== 'x64' && arch !== 'ia32') return { fastInt8: false, reason: `unknown int8 behaviour on ${arch}` };
  if (cpuinfo === undefined)
    return { fastInt8: false, reason: 'x86 CPU whose features cannot be read here (VNNI unknown)' };
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  const flags = new Set(
    (line ?? '')
      .replace(/^flags\s*:/, '')
      .trim()
      .split(/\s+/),
  );
  const found = VNNI_FLAGS.filter((f) => flags.has(f));
  return found.length > 0
    ? { fastInt8: true, reason: `x86 CPU with ${found.join(', ')}` }
    : { fastInt8: false, reason: 'x86 CPU without VNNI (u8 x s8 pair sums can saturate)' };
}

let cached: Int8Cpu | undefined;

/** This machine's CPU; Linux reads /proc/cpuinfo, other x86 systems are treated as without VNNI (the safe path). */
export function detectCpu(): Int8Cpu {
  cached ??= classifyCpu(process.arch, process.platform === 'linux' ? readCpuinfo() : undefined);
  return cached;
}

function readCpuinfo(): string | undefined {
  try {
    // /proc files report size 0; read a bounded amount (the first CPU's flags come early).
    const fd = fs.openSync('/proc/cpuinfo', 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
