// Which integer accumulation onnxruntime's CPU kernels use on this host, so `qplay run --integer`
// can reproduce them bit for bit. MLAS multiplies uint8 x int8 with VPMADDUBSW on x86 CPUs that
// lack VNNI (AVX2, AVX512BW): adjacent products are summed with int16 saturation. With VNNI
// (avx512_vnni / avx_vnni) the sums are exact, as on ARM and in the browser.
import type { IntegerAccumulation } from './cpu/op-types.js';

export function hostIntegerAccumulation(cpuinfo: string | undefined): IntegerAccumulation {
  if (!cpuinfo) return 'exact';
  const flagsLine = cpuinfo.split('\n').find((l) => l.startsWith('flags'));
  if (!flagsLine) return 'exact';
  const flags = new Set(flagsLine.split(':')[1]?.trim().split(/\s+/) ?? []);
  if (flags.has('avx512_vnni') || flags.has('avx_vnni')) return 'exact';
  return flags.has('avx2') ? 'x86-u8s8-pairwise' : 'exact';
}

/** True where onnxruntime's MLAS sums a product of these operand types in saturating pairs. */
export function pairsU8S8(accumulation: IntegerAccumulation | undefined, x: string, w: string): boolean {
  return accumulation === 'x86-u8s8-pairwise' && x === 'uint8' && w === 'int8';
}
