import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../src/engine/cpu/reference.ts';
import { Rng } from '../../src/engine/rng.ts';
import { parseSafetensors, serializeSafetensors } from '../../src/engine/safetensors.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { modelFromCheckpoint, readCheckpoint, saveCheckpoint } from '../../src/experiments/checkpoint.ts';
import { Model } from '../../src/experiments/model.ts';
import { findPreset } from '../../src/experiments/presets.ts';

const e = new Engine(new ReferenceBackend());

describe('checkpoints and safetensors', () => {
  it('round-trips a model exactly', async () => {
    const a = new Model(e, findPreset('cae-bn-pool').spec, Rng.stream(1, 'init'));
    const bytes = await saveCheckpoint(a, null);
    const b = modelFromCheckpoint(e, readCheckpoint(bytes, 'ckpt'), 'ckpt');
    const [sa, sb] = [await a.stateDict(), await b.stateDict()];
    expect([...sb.keys()]).toEqual([...sa.keys()]);
    for (const [k, v] of sa) expect(Array.from(sb.get(k)!.data)).toEqual(Array.from(v.data));
    a.dispose();
    b.dispose();
  });

  it('names the tensor and both shapes when a checkpoint does not fit the architecture', async () => {
    const m = new Model(e, findPreset('mnist-cvae').spec, new Rng(0));
    const state = await m.stateDict();
    state.set('encoder.2.weight', { shape: [64, 32, 3, 3], data: new Float32Array(64 * 32 * 9) });
    expect(() => m.loadStateDict(state, 'bad.safetensors')).toThrow('bad.safetensors: tensor encoder.2.weight has shape [64,32,3,3], the model needs [64,32,4,4]');
    state.delete('head.bias');
    expect(() => m.loadStateDict(state, 'bad.safetensors')).toThrow(/tensor (encoder\.2\.weight has shape|head\.bias is missing)/);
    m.dispose();
  });

  it('refuses truncated, corrupt and foreign files with a message naming the file', () => {
    const good = serializeSafetensors([['w', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }]]);
    expect(parseSafetensors(good, 'ok').tensors.get('w')!.data).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(() => parseSafetensors(good.subarray(0, good.length - 4), 'cut.safetensors')).toThrow(/cut\.safetensors: tensor w \[2,3\] F32 does not fit its offsets .*truncated/);
    expect(() => parseSafetensors(new Uint8Array(5), 'tiny.safetensors')).toThrow(/tiny\.safetensors: 5 bytes is too short/);
    const garbage = new Uint8Array(64).fill(0x7b);
    expect(() => parseSafetensors(garbage, 'junk.bin')).toThrow(/junk\.bin: header length .* does not fit/);
    const noMeta = serializeSafetensors([['w', { shape: [1], data: new Float32Array([1]) }]]);
    expect(() => readCheckpoint(noMeta, 'bare.safetensors')).toThrow(/bare\.safetensors: no Latent Lab metadata/);
  });
});
