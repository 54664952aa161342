/// <reference types="@webgpu/types" />
import type { Backend, DType, Kernels } from '../backend.ts';
import type { GpuBuffer } from './buffer.ts';
import { type ContextOptions, GpuContext } from './context.ts';
import { kernelSpecs, webgpuKernels } from './kernels.ts';

export interface WebGpuOptions extends ContextOptions {
  /** Use this adapter instead of asking `gpu` for one. */
  adapter?: GPUAdapter;
  powerPreference?: GPUPowerPreference;
  /** Create every pipeline now rather than on first use (fast on a real GPU; slow on SwiftShader). */
  precompile?: boolean;
}

/** What the adapter says about itself, for run records and for `auto` (which refuses software adapters). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (SwiftShader, llvmpipe, WARP...), far slower than the CPU backend. */
  software: boolean;
}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter
    ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  const software = fallback || /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render|\bcpu\b/.test(text);
  return { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, software };
}

export function describeAdapter(s: AdapterSummary): string {
  const parts = [s.vendor, s.architecture, s.device, s.description].filter((p) => p);
  return `${parts.join(' / ') || 'unnamed adapter'}${s.software ? ' (software)' : ''}`;
}

/** The WebGPU backend: WGSL kernels queued on one command batch, flushed by reads. */
export class WebGpuBackend implements Backend<GpuBuffer> {
  readonly name = 'webgpu';
  readonly kernels: Kernels<GpuBuffer>;

  constructor(readonly ctx: GpuContext, readonly adapter: AdapterSummary, private readonly ownsDevice: boolean) {
    this.kernels = webgpuKernels(ctx);
  }

  get device(): GPUDevice {
    return this.ctx.device;
  }

  alloc(length: number, dtype: DType = 'f32'): GpuBuffer {
    return this.ctx.alloc(length, dtype);
  }

  release(buffer: GpuBuffer): void {
    this.ctx.release(buffer);
  }

  write(buffer: GpuBuffer, data: Float32Array | Int32Array): void {
    this.ctx.write(buffer, data);
  }

  read(buffer: GpuBuffer): Promise<Float32Array | Int32Array> {
    return this.ctx.read(buffer);
  }

  flush(): Promise<void> {
    return this.ctx.flush();
  }

  dispose(): void {
    this.ctx.dispose();
    if (this.ownsDevice) this.ctx.device.destroy();
  }
}

/**
 * A WebGPU backend on `gpu` (navigator.gpu in a browser or worker; the `webgpu` package's GPU in Node).
 * Requests the adapter's storage-buffer limits and compiles every kernel, so a missing adapter, a device
 * failure or a shader that does not compile is reported here, before any training starts.
 */
export async function createWebGpuBackend(gpu: GPU, opts: WebGpuOptions = {}): Promise<WebGpuBackend> {
  const adapter = opts.adapter ?? await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new Error('WebGPU: no adapter available (no GPU, or no driver WebGPU can use)');
  const summary = summarizeAdapter(adapter);
  const l = adapter.limits;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: 'latent-lab',
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 8),
      },
    });
  } catch (e) {
    throw new Error(`WebGPU: could not open a device on ${describeAdapter(summary)}: ${(e as Error).message}`);
  }
  const ctx = new GpuContext(device, opts);
  try {
    await ctx.compile(kernelSpecs, opts.shaderOverrides, opts.precompile ?? false);
  } catch (e) {
    ctx.dispose();
    device.destroy();
    throw e;
  }
  return new WebGpuBackend(ctx, summary, true);
}
