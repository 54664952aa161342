// binary: out[i] = f(a[i], b[i]) for `kind` (numbering in binary.ts); losses take (prediction, target).
// Dispatch: 1-D over the elements, 256 threads per workgroup, the grid folded into 2-D (see fill.wgsl).

struct Params { len: u32, kind: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

// #include "_math.wgsl"

fn f(kind: u32, x: f32, t: f32) -> f32 {
  switch kind {
    case 0u: { return x + t; }
    case 1u: { return x - t; }
    case 2u: { return x * t; }
    case 3u: { return max(x, 0.0) - x * t + log1p_(exp(-abs(x))); }            // bce_logits
    case 4u: { return -(t * clampedLog(x) + (1.0 - t) * clampedLog(1.0 - x)); } // bce
    case 5u: { return (x - t) * (x - t); }                                     // sq_diff
    default: { return -0.5 * (1.0 + t - x * x - exp(t)); }                     // kl_normal(mu, logvar)
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * groups.x + wg.x) * 256u + t;
  if (i < p.len) { dst[i] = f(p.kind, a[i], b[i]); }
}
