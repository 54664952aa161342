// col2im: the adjoint of im2col, col [C·KH·KW, N·OH·OW] -> x [N, C, H, W], overlapping taps summed.
// Gather, not scatter (WGSL has no float atomics): one thread per x element sums the columns whose tap lands
// on it, in (ki, kj) order, the order the reference adds them in, so the result matches it exactly.
// Dispatch: 1-D over x's elements i = ((n·C + c)·H + iy)·W + ix, 256 threads per workgroup, the grid folded
// into 2-D (see fill.wgsl).

struct Params {
  n: u32, c: u32, h: u32, w: u32, kh: u32, kw: u32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilationH: i32, dilationW: i32,
  oh: u32, ow: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> col: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i >= p.n * p.c * p.h * p.w) { return; }
  let ix = i32(i % p.w);
  let iy = i32((i / p.w) % p.h);
  let ci = (i / (p.w * p.h)) % p.c;
  let ni = i / (p.w * p.h * p.c);
  let cols = p.n * p.oh * p.ow;
  var s = 0.0;
  for (var ki = 0u; ki < p.kh; ki++) {
    let ty = iy + p.padH - i32(ki) * p.dilationH;
    if (ty < 0 || ty % p.strideH != 0) { continue; }
    let oy = u32(ty / p.strideH);
    if (oy >= p.oh) { continue; }
    for (var kj = 0u; kj < p.kw; kj++) {
      let tx = ix + p.padW - i32(kj) * p.dilationW;
      if (tx < 0 || tx % p.strideW != 0) { continue; }
      let ox = u32(tx / p.strideW);
      if (ox >= p.ow) { continue; }
      s += col[((ci * p.kh + ki) * p.kw + kj) * cols + (ni * p.oh + oy) * p.ow + ox];
    }
  }
  x[i] = s;
}
