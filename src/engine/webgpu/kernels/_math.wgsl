// Shared WGSL math (WGSL has no erf, log1p or clamped log). Included by `// #include "_math.wgsl"`;
// files whose names start with '_' are libraries, not kernels (scripts/gen-wgsl.mjs).

// W. J. Cody's rational approximations, as the reference's erf.
fn erf_(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let t = x * x;
    let num = (((0.1857777061846032 * t + 3.161123743870566) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    let den = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return x * num / den;
  }
  var r: f32;
  if (ax < 4.0) {
    let num = (((((((5.64188496988670089e-1 * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.95222124176909) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725);
    let den = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    r = 1.0 - exp(-ax * ax) * (num / den);
  } else {
    let z = 1.0 / (ax * ax);
    let num = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
    let den = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
    r = 1.0 - (exp(-ax * ax) / ax) * (0.5641895835477563 - z * num / den);
  }
  return select(r, -r, x < 0.0);
}

// log(1 + v) without losing small v (Goldberg's trick); WGSL has no log1p.
fn log1p_(v: f32) -> f32 {
  let u = 1.0 + v;
  if (u == 1.0) { return v; }
  return log(u) * v / (u - 1.0);
}

// log clamped at -100 as PyTorch's BCE (log(0) is not defined in WGSL, hence the test first).
fn clampedLog(v: f32) -> f32 {
  if (v <= 0.0) { return -100.0; }
  return max(log(v), -100.0);
}
