// The engine in a dedicated worker. Messages in: {id, op: 'load'|'request'|
// 'interrupt'|'reset'|'unload'|'stats'|'lose-device' (a test hook), ...}; out: {id, type: 'progress'|
// 'chunk'|'result'|'error', ...}. Requests are OpenAI JSON bodies; chunks
// are OpenAI chunk objects. Start it with
//   new Worker(new URL('lantern/worker.js', import.meta.url), {type: 'module'})
import { EngineCore } from './engine_core.js';

let core = null;

function errorOf(e) {
  if (e && e.name === 'ApiError') return { api: e.error };
  return { name: e && e.name, message: String((e && e.message) || e) };
}

self.onmessage = async (event) => {
  const { id, op } = event.data;
  const reply = (msg) => self.postMessage({ id, ...msg });
  try {
    if (!core) core = new EngineCore({ moduleUrl: event.data.moduleUrl });
    switch (op) {
      case 'load': {
        const stats = await core.load(event.data.url, {
          ...event.data.options,
          initProgressCallback: (p) => reply({ type: 'progress', progress: p }),
        });
        reply({ type: 'result', value: stats });
        break;
      }
      case 'request': {
        const out = await core.request(event.data.kind, event.data.body, (chunk) => reply({ type: 'chunk', chunk }));
        reply({ type: 'result', value: out });
        break;
      }
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
