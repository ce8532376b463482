// The engine in a dedicated worker. Messages in: {id, op: 'hello'|'load'|'abort-load'|
// 'request'|'interrupt'|'reset'|'unload'|'stats'|'lose-device' (a test hook), ...}; out: {id, type: 'progress'|
// 'chunk'|'result'|'error', ...}. Requests are OpenAI JSON bodies; chunks
// are OpenAI chunk objects. An app's worker script imports this file
// (import 'lantern-llm/worker.js') and CreateWorkerEngine talks to it.
import { EngineCore } from './engine_core.js';

let core = null;
// The loads in flight by message id: a page's AbortSignal cannot cross to
// the worker, so its transport sends 'abort-load' naming the load.
const loads = new Map();

// An error as a message: its name and message, and the machine-readable
// fields its class carries (a LoaderError's code, status, ...), so the page
// gets the same class back (lantern.js remoteError).
function errorOf(e) {
  if (e && e.name === 'ApiError') return { api: e.error };
  const out = { name: e && e.name, message: String((e && e.message) || e) };
  if (e && typeof e === 'object') {
    for (const [k, v] of Object.entries(e)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  }
  return out;
}

self.onmessage = async (event) => {
  const { id, op } = event.data;
  const reply = (msg) => self.postMessage({ id, ...msg });
  try {
    if (!core) core = new EngineCore({ moduleUrl: event.data.moduleUrl, wasmUrl: event.data.wasmUrl });
    switch (op) {
      case 'load': {
        const aborter = new AbortController();
        loads.set(id, aborter);
        try {
          const stats = await core.load(event.data.url, {
            ...event.data.options,
            signal: aborter.signal,
            initProgressCallback: (p) => reply({ type: 'progress', progress: p }),
          });
          reply({ type: 'result', value: stats });
        } finally {
          loads.delete(id);
        }
        break;
      }
      case 'abort-load': {
        const aborter = loads.get(event.data.load);
        if (aborter) aborter.abort(new DOMException(event.data.reason, 'AbortError'));
        reply({ type: 'result', value: !!aborter });
        break;
      }
      case 'request': {
        const out = await core.request(event.data.kind, event.data.body, (chunk) => reply({ type: 'chunk', chunk }));
        reply({ type: 'result', value: out });
        break;
      }
      case 'hello': reply({ type: 'result', value: 'lantern' }); break;
      case 'interrupt': core.interrupt(); reply({ type: 'result', value: null }); break;
      case 'reset': core.resetChat(); reply({ type: 'result', value: null }); break;
      case 'unload': core.unload(); reply({ type: 'result', value: null }); break;
      case 'stats': reply({ type: 'result', value: core.runtimeStats() }); break;
      case 'lose-device': core.loseDeviceForTesting(); reply({ type: 'result', value: null }); break;
      default: throw new Error(`lantern worker: unknown op ${op}`);
    }
  } catch (e) {
    reply({ type: 'error', error: errorOf(e) });
  }
};
