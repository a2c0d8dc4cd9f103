// The platform-specific VSIX targets and the ONNX Runtime files each one ships.
//
// onnxruntime-node 1.30 puts prebuilt CPU binaries for every platform into bin/napi-v*/<platform>/<arch>/ and
// loads `bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`, so a VSIX built for one
// VS Code target (`vsce package --target`) needs only that folder, and from it only the files the binding
// loads when a session runs on the CPU execution provider (the only one the extension asks for):
// - the binding and the ONNX Runtime library it links (ELF DT_NEEDED libonnxruntime.so.1; Mach-O
//   @rpath/libonnxruntime.1.dylib; PE import onnxruntime.dll).
// Left out on purpose:
// - win32 DirectML.dll (DirectML execution provider: onnxruntime.dll delay-loads it, i.e. only when that
//   provider is requested), dxcompiler.dll and dxil.dll (the WebGPU provider's shader compiler, loaded at run
//   time by that provider only);
// - darwin libonnxruntime.1.30.0.dylib: a byte-identical copy of libonnxruntime.1.dylib under its versioned
//   name (npm tarballs cannot hold symlinks); the binding links the unversioned install name;
// - libonnxruntime_providers_{shared,cuda,tensorrt}.so, which onnxruntime-node's postinstall downloads on
//   linux-x64 unless ONNXRUNTIME_NODE_INSTALL=skip.
// test/unit/vsixTargets.test.ts reads each finished VSIX and checks, from the binaries' own headers, that the
// files kept are for the target's OS and CPU and that every library they link which ONNX Runtime ships is in.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Runtime file names per OS, in the order the loader needs them. */
const RUNTIME_FILES = {
  linux: ['onnxruntime_binding.node', 'libonnxruntime.so.1'],
  darwin: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'],
  win32: ['onnxruntime_binding.node', 'onnxruntime.dll'],
};

/** Every target VS Code supports for desktop Node extension hosts that ONNX Runtime could ship for. */
const ALL_TARGETS = ['linux-x64', 'linux-arm64', 'win32-x64', 'win32-arm64', 'darwin-x64', 'darwin-arm64'];

/** `linux-x64` -> { target, platform: 'linux', arch: 'x64', files: [...] } */
function describe(target) {
  const [platform, arch] = target.split('-');
  const files = RUNTIME_FILES[platform];
  if (!files || !ALL_TARGETS.includes(target)) {
    throw new Error(`unknown target "${target}"; known: ${ALL_TARGETS.join(', ')}`);
  }
  return { target, platform, arch, files };
}

/** The napi-v* folders of the installed onnxruntime-node (the binding loads napi-v6 today). */
function napiDirs(ortDir) {
  const bin = path.join(ortDir, 'bin');
  return fs.existsSync(bin)
    ? fs
        .readdirSync(bin)
        .filter((d) => /^napi-v\d+$/.test(d))
        .sort()
    : [];
}

/**
 * The targets the installed onnxruntime-node ships binaries for (1.30: no darwin-x64), and any
 * platform/arch folder it ships that this table does not know (the caller fails on those, so a new platform
 * in a new release is noticed rather than silently skipped).
 */
function shippedTargets(ortDir) {
  const found = new Set();
  const unknown = [];
  for (const napi of napiDirs(ortDir)) {
    const base = path.join(ortDir, 'bin', napi);
    for (const platform of fs.readdirSync(base)) {
      for (const arch of fs.readdirSync(path.join(base, platform))) {
        const target = `${platform}-${arch}`;
        if (ALL_TARGETS.includes(target)) found.add(target);
        else unknown.push(`bin/${napi}/${platform}/${arch}`);
      }
    }
  }
  return { targets: ALL_TARGETS.filter((t) => found.has(t)), unknown };
}

module.exports = { ALL_TARGETS, RUNTIME_FILES, describe, napiDirs, shippedTargets };
