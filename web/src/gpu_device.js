// Acquires a WebGPU device for the engine, asking for the adapter's highest
// buffer limits (models need large storage bindings). Returns null with a
// reason when WebGPU is missing, so callers can fall back to the CPU backend.
// subgroupMatrix: also ask for subgroups and Chromium's experimental subgroup
// matrices where the adapter offers them, for the engine's subgroup_matrix
// option (prefill on the matrix units; not yet run on a GPU, so off unless
// asked for). refuseFallbackAdapter: no device from a software adapter
// (SwiftShader: WebGPU's isFallbackAdapter), whose kernels run ~100x slower
// than the wasm CPU backend (stories260K: 8 against 814 tok/s, 2 cores: docs/benchmarks.md);
// the result still describes the adapter.
export async function acquireGpuDevice({ subgroupMatrix = false, refuseFallbackAdapter = false } = {}) {
  if (typeof navigator === 'undefined' || !navigator.gpu) {
    return { device: null, reason: 'WebGPU is not available in this browser (navigator.gpu is missing)' };
  }
  let adapter;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { device: null, reason: `requestAdapter failed: ${e.message || e}` };
  }
  if (!adapter) return { device: null, reason: 'no WebGPU adapter (requestAdapter returned null)' };
  if (refuseFallbackAdapter && isFallbackAdapter(adapter)) {
    const info = adapter.info || {};
    return { device: null, adapter: describeAdapter(adapter, null),
      reason: `the WebGPU adapter is a software renderer (${[info.vendor, info.architecture].filter(Boolean).join(' ') || 'isFallbackAdapter'}), ` +
        'slower than the wasm CPU backend (allowFallbackAdapter: true uses it)' };
  }
  const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxStorageBuffersPerShaderStage'];
  const requiredLimits = {};
  for (const k of want) if (adapter.limits[k] !== undefined) requiredLimits[k] = adapter.limits[k];
  const requiredFeatures = [];
  if (adapter.features.has('shader-f16')) requiredFeatures.push('shader-f16');
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  // The backend checks the configurations itself.
  const matrixFeatures = ['subgroups', 'chromium-experimental-subgroup-matrix'];
  const withMatrix = subgroupMatrix && matrixFeatures.every((f) => adapter.features.has(f));
  let device, matrixError = null;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures: withMatrix ? [...requiredFeatures, ...matrixFeatures] : requiredFeatures });
  } catch (e) {
    if (!withMatrix) return { device: null, reason: `requestDevice failed: ${e.message || e}` };
    // An experimental feature must not cost the device: once more without it,
    // on a new adapter (a request may have used this one up).
    matrixError = String(e.message || e);
    try {
      adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) return { device: null, reason: 'no WebGPU adapter on the second request (requestAdapter returned null)' };
      device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    } catch (e2) {
      return { device: null, reason: `requestDevice failed: ${e2.message || e2} (with subgroup matrices: ${matrixError})` };
    }
  }
  return { device, adapter: describeAdapter(adapter, matrixError) };
}

function isFallbackAdapter(adapter) {
  return !!((adapter.info && adapter.info.isFallbackAdapter) || adapter.isFallbackAdapter);
}

function describeAdapter(adapter, matrixError) {
  const info = adapter.info || {};
  return {
    vendor: info.vendor || '', architecture: info.architecture || '', device: info.device || '',
    description: info.description || '', isFallbackAdapter: isFallbackAdapter(adapter),
    features: [...adapter.features].sort(),
    subgroupMinSize: info.subgroupMinSize, subgroupMaxSize: info.subgroupMaxSize, subgroupMatrixError: matrixError,
    subgroupMatrixConfigs: [...(info.subgroupMatrixConfigs || [])].map((c) => ({
      componentType: c.componentType, resultComponentType: c.resultComponentType, M: c.M, N: c.N, K: c.K })),
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}

// The engine's WebGPU device is gone (GPUDevice.lost resolved): destroyed,
// a driver reset, or the GPU process lost. Nothing runs on it again; the
// engine needs reload(), which acquires a new device.
export class DeviceLostError extends Error {
  constructor(info = {}) {
    super(`lantern: the WebGPU device was lost (reason: ${info.reason || 'unknown'}` +
      `${info.message ? `, "${info.message}"` : ''}); call engine.reload() to run on a new device`);
    this.name = 'DeviceLostError';
    this.reason = info.reason || 'unknown';
  }
}
