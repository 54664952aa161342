// channelReduce: per-channel sums over x [N, C, S], the reduction behind channelSum, sumAll (N = C = 1)
// and bnStats. For channel c the values are v(j) = x[(n·C + c)·S + s], j = n·S + s < N·S, taken as is
// (mode 0) or as (v - mean[c])² (mode 1, the variance pass).
//   out[c·outStride + chunk] = scale · Σ_{j in chunk} v(j)  (+ the old value when accumulate)
// Dispatch: workgroup (chunk, c): 256 threads stride over j in [chunk·chunkLen, (chunk+1)·chunkLen),
// then a tree reduction in workgroup memory; thread 0 writes. Long channels are split into chunks whose
// sums (outStride = chunks) are reduced again by a second dispatch with N = 1, S = chunks.
// Entry `serial`, for short channels (a linear layer's bias gradient sums a batch): 1-D over channels, one
// thread sums its whole channel in order, no workgroup memory or barriers (chunk 0, outStride 1).

struct Params { n: u32, c: u32, s: u32, chunkLen: u32, mode: u32, accumulate: u32, outStride: u32, scale: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let chunk = wg.x;
  let ch = wg.y;
  let count = p.n * p.s;
  let begin = chunk * p.chunkLen;
  let end = min(count, begin + p.chunkLen);
  var mu = 0.0;
  if (p.mode == 1u) { mu = mean[ch]; }
  var acc = 0.0;
  for (var j = begin + t; j < end; j += 256u) {
    let ni = j / p.s;
    let v = x[(ni * p.c + ch) * p.s + (j - ni * p.s)];
    if (p.mode == 1u) { acc += (v - mu) * (v - mu); } else { acc += v; }
  }
  partial[t] = acc;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half >>= 1u) {
    if (t < half) { partial[t] += partial[t + half]; }
    workgroupBarrier();
  }
  if (t == 0u) {
    let o = ch * p.outStride + chunk;
    var r = p.scale * partial[0];
    if (p.accumulate != 0u) { r += dst[o]; }
    dst[o] = r;
  }
}

@compute @workgroup_size(256)
fn serial(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
          @builtin(local_invocation_index) t: u32) {
  let ch = (wg.y * groups.x + wg.x) * 256u + t;
  if (ch >= p.c) { return; }
  var mu = 0.0;
  if (p.mode == 1u) { mu = mean[ch]; }
  var acc = 0.0;
  for (var ni = 0u; ni < p.n; ni++) {
    let base = (ni * p.c + ch) * p.s;
    for (var si = 0u; si < p.s; si++) {
      let v = x[base + si];
      if (p.mode == 1u) { acc += (v - mu) * (v - mu); } else { acc += v; }
    }
  }
  var r = p.scale * acc;
  if (p.accumulate != 0u) { r += dst[ch]; }
  dst[ch] = r;
}
