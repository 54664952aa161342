import type { PoolGeometry } from '../backend.ts';
import type { Tensor } from '../tensor.ts';

export interface PoolOptions {
  kernel: [number, number];
  stride?: [number, number];
  padding?: [number, number];
}

export function poolOutSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/** Max pool over x [N, C, H, W]: y [N, C, OH, OW] and indices (i32, flat per input plane). */
export function maxPool2d(x: Tensor, o: PoolOptions): { y: Tensor; indices: Tensor } {
  const e = x.engine;
  if (x.shape.length !== 4) throw new Error(`maxpool2d: input must be [N, C, H, W], got [${x.shape}]`);
  const [n, c, h, w] = x.shape;
  const [kh, kw] = o.kernel, [strideH, strideW] = o.stride ?? o.kernel, [padH, padW] = o.padding ?? [0, 0];
  if (padH * 2 > kh || padW * 2 > kw) throw new Error(`maxpool2d: padding [${padH}, ${padW}] is more than half the kernel [${kh}, ${kw}]`);
  const oh = poolOutSize(h, kh, strideH, padH), ow = poolOutSize(w, kw, strideW, padW);
  if (oh < 1 || ow < 1) throw new Error(`maxpool2d: a ${kh}×${kw} window does not fit a ${h}×${w} input`);
  const g: PoolGeometry = { planes: n * c, h, w, kh, kw, strideH, strideW, padH, padW, oh, ow };
  const y = e.empty([n, c, oh, ow]);
  const indices = e.empty([n, c, oh, ow], 'i32');
  e.k.maxPool(g, x.buffer, y.buffer, indices.buffer);
  e.record(y, 'maxpool2d', [x], (gy) => {
    const dx = e.empty(x.shape);
    e.k.maxPoolBackward(g, gy.buffer, indices.buffer, dx.buffer);
    return [dx];
  });
  return { y, indices };
}

/** Max unpool: x [N, C, H, W] placed at `indices` in zero planes of outSize [OH, OW]. */
export function maxUnpool2d(x: Tensor, indices: Tensor, outSize: [number, number]): Tensor {
  const e = x.engine;
  if (x.shape.length !== 4) throw new Error(`maxunpool2d: input must be [N, C, H, W], got [${x.shape}]`);
  if (indices.size !== x.size) throw new Error(`maxunpool2d: input [${x.shape}] and indices [${indices.shape}] differ`);
  const [n, c, h, w] = x.shape;
  const planes = n * c, inSize = h * w, out = outSize[0] * outSize[1];
  const y = e.empty([n, c, outSize[0], outSize[1]]);
  e.k.maxUnpool(x.buffer, indices.buffer, y.buffer, planes, inSize, out);
  return e.record(y, 'maxunpool2d', [x], (gy) => {
    const dx = e.empty(x.shape);
    e.k.maxUnpoolBackward(gy.buffer, indices.buffer, dx.buffer, planes, inSize, out);
    return [dx];
  });
}
