// Reads what a native binary is from its own header, for the VSIX contents check: the file format (ELF,
// Mach-O, PE), the CPU it is built for, and the libraries the loader must find before it runs (ELF DT_NEEDED,
// Mach-O LC_LOAD_DYLIB, PE import table; delay-loaded PE imports are listed apart: they load on first use).

/** What a native binary's header says. */
export interface BinaryInfo {
  format: 'elf' | 'macho' | 'pe';
  /** `x64`, `arm64`, or the raw machine number for anything else. */
  machine: string;
  /** Libraries needed at load time (as written in the file, e.g. `@rpath/libonnxruntime.1.dylib`). */
  needs: string[];
  /** PE delay-loaded imports (loaded only when one of their functions is first called). */
  delayLoads: string[];
}

const cstr = (b: Buffer, at: number): string => b.toString('latin1', at, b.indexOf(0, at));

/** The header of `b`, or undefined when it is not an ELF, Mach-O or PE file. Throws on a truncated header. */
export function readBinaryInfo(b: Buffer): BinaryInfo | undefined {
  if (b.length >= 64 && b.readUInt32BE(0) === 0x7f454c46) return elf(b);
  if (b.length >= 32 && b.readUInt32LE(0) === 0xfeedfacf) return macho(b);
  if (b.length >= 64 && b.readUInt16LE(0) === 0x5a4d) return pe(b);
  return undefined;
}

function elf(b: Buffer): BinaryInfo {
  if (b[4] !== 2 || b[5] !== 1) throw new Error('only 64-bit little-endian ELF is expected');
  const m = b.readUInt16LE(18);
  const machine = m === 0x3e ? 'x64' : m === 0xb7 ? 'arm64' : `elf-machine-${m}`;
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      type: b.readUInt32LE(at + 4),
      offset: Number(b.readBigUInt64LE(at + 0x18)),
      size: Number(b.readBigUInt64LE(at + 0x20)),
      link: b.readUInt32LE(at + 0x28),
    };
  };
  const needs: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== 6) continue; // SHT_DYNAMIC
    const strtab = section(s.link).offset;
    for (let at = s.offset; at + 16 <= s.offset + s.size; at += 16) {
      const tag = b.readBigInt64LE(at);
      if (tag === 0n) break; // DT_NULL
      if (tag === 1n) needs.push(cstr(b, strtab + Number(b.readBigUInt64LE(at + 8)))); // DT_NEEDED
    }
  }
  return { format: 'elf', machine, needs, delayLoads: [] };
}

function macho(b: Buffer): BinaryInfo {
  const cpu = b.readUInt32LE(4);
  const machine = cpu === 0x0100000c ? 'arm64' : cpu === 0x01000007 ? 'x64' : `macho-cpu-${cpu.toString(16)}`;
  const ncmds = b.readUInt32LE(16);
  const needs: string[] = [];
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = b.readUInt32LE(at);
    // LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LOAD_UPWARD_DYLIB
    if (cmd === 0xc || cmd === 0x80000018 || cmd === 0x8000001f || cmd === 0x80000023)
      needs.push(cstr(b, at + b.readUInt32LE(at + 8)));
    at += b.readUInt32LE(at + 4);
  }
  return { format: 'macho', machine, needs, delayLoads: [] };
}

function pe(b: Buffer): BinaryInfo {
  const h = b.readUInt32LE(0x3c);
  if (b.readUInt32LE(h) !== 0x00004550) throw new Error('MZ header without a PE signature');
  const m = b.readUInt16LE(h + 4);
  const machine = m === 0x8664 ? 'x64' : m === 0xaa64 ? 'arm64' : `pe-machine-${m.toString(16)}`;
  const nsec = b.readUInt16LE(h + 6);
  const opt = h + 24;
  const dirs = opt + (b.readUInt16LE(opt) === 0x20b ? 112 : 96); // PE32+ or PE32
  const sections = Array.from({ length: nsec }, (_, i) => {
    const s = opt + b.readUInt16LE(h + 20) + 40 * i;
    return {
      vsize: b.readUInt32LE(s + 8),
      va: b.readUInt32LE(s + 12),
      rawSize: b.readUInt32LE(s + 16),
      raw: b.readUInt32LE(s + 20),
    };
  });
  const off = (rva: number): number => {
    const s = sections.find((x) => rva >= x.va && rva < x.va + Math.max(x.vsize, x.rawSize));
    if (!s) throw new Error(`RVA ${rva.toString(16)} is in no section`);
    return rva - s.va + s.raw;
  };
  // Import directory (20-byte descriptors, name RVA at +12) and delay-import directory (32 bytes, name at +4).
  const names = (dir: number, stride: number, nameAt: number): string[] => {
    const rva = b.readUInt32LE(dirs + 8 * dir);
    const out: string[] = [];
    if (rva === 0) return out;
    for (let at = off(rva); b.readUInt32LE(at + nameAt) !== 0; at += stride)
      out.push(cstr(b, off(b.readUInt32LE(at + nameAt))));
    return out;
  };
  return { format: 'pe', machine, needs: names(1, 20, 12), delayLoads: names(13, 32, 4) };
}
