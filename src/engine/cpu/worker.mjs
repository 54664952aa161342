// A thread of the CPU backend's pool (plain JavaScript so it loads unchanged under Node's worker_threads,
// tsx, vitest and a bundler's module worker). It instantiates the kernels' WebAssembly module on the
// shared memory, then serves calls posted through the shared control block (layout in threads.ts): when
// the generation moves it claims chunks of the call until none are left, runs `fn(chunk, chunks, ...args)`
// for each, and counts them done.
const GEN = 0, DONE = 1, FN = 2, CHUNKS = 3, ERROR = 4, NEXT = 5, READY = 8, ARGS_BYTE_OFFSET = 256, MAX_ARGS = 20;
// Chunks run by workers (not the calling thread) since the pool started, in a slot threads.ts leaves free:
// lets a host check that its threads really take part (the browser test reads it).
const WORKER_CHUNKS = 6;
const SPIN = 20000;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

// No top-level await (bundlers emit workers as classic scripts by default, and those cannot have it), and a
// computed specifier, so a browser bundle neither pulls in nor warns about Node's module. Node's parentPort
// queues the pool's first message until the listener is attached.
let closeThread = () => self.close();
function onFirstMessage(handler) {
  if (!isNode) {
    self.addEventListener('message', (e) => handler(e.data), { once: true });
    return;
  }
  const nodeWorkerThreads = 'node:worker_threads';
  import(/* @vite-ignore */ nodeWorkerThreads).then(({ parentPort }) => {
    closeThread = () => parentPort.close();
    parentPort.once('message', handler);
  });
}

onFirstMessage(async (msg) => {
  const { module, memory, control, tid, names, gemmScratch, auxScratch } = msg;
  const ctl = new Int32Array(control);
  const args = new Float64Array(control, ARGS_BYTE_OFFSET, MAX_ARGS);
  let fns;
  try {
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    instance.exports.setScratch(gemmScratch, auxScratch);
    fns = names.map((n) => instance.exports[n]);
  } catch (e) {
    Atomics.store(ctl, READY + tid, -1);
    Atomics.notify(ctl, READY + tid);
    throw e;
  }
  Atomics.store(ctl, READY + tid, 1);
  Atomics.notify(ctl, READY + tid);
  let seen = Atomics.load(ctl, GEN);
  for (;;) {
    let gen = Atomics.load(ctl, GEN);
    // Spin briefly first: a training step posts kernels back to back, and waking from a wait is slow.
    for (let spins = 0; gen === seen; gen = Atomics.load(ctl, GEN)) {
      if (++spins > SPIN) Atomics.wait(ctl, GEN, seen, 1000);
    }
    seen = gen;
    for (;;) {
      // NEXT is parked far above any chunk count between calls, so a late claim finds nothing.
      const chunk = Atomics.add(ctl, NEXT, 1);
      const fn = Atomics.load(ctl, FN);
      if (fn < 0) {
        closeThread();
        return;
      }
      const chunks = Atomics.load(ctl, CHUNKS);
      if (chunk >= chunks) break;
      try {
        fns[fn](chunk, chunks, args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9],
          args[10], args[11], args[12], args[13], args[14], args[15], args[16], args[17], args[18], args[19]);
      } catch (e) {
        Atomics.store(ctl, ERROR, tid + 1);
      }
      Atomics.add(ctl, WORKER_CHUNKS, 1);
      if (Atomics.add(ctl, DONE, 1) + 1 === chunks) Atomics.notify(ctl, DONE);
    }
  }
});
