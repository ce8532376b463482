// Where the model loader keeps chunks of model files between visits: the
// Cache API (default) or IndexedDB, behind one small interface. Keys:
//   Cache API  chunk   `${url}${sep}lantern-chunk=${start}-${end}` (end exclusive)
//              marker  `${url}${sep}lantern-model`
//   (sep is '?' or '&'. Not a '#fragment': the Cache API ignores fragments
//   when matching, so every chunk would land on one entry.)
//   IndexedDB  database `cacheName`: object store 'chunks' keyed by
//              [url, start] ({url, start, end, bytes, digest}), store
//              'models' keyed by url (the marker).
// Each chunk carries its digest (chunk_digest.js) in the same entry: the
// Cache API response's `x-lantern-digest` header, the IndexedDB record's
// `digest`; readChunk returns {bytes, digest} (digest null when absent).
// The marker is {url, size, chunkSize, etag, lastModified, complete}: written
// with complete=false before the first chunk is stored (so a resume knows the
// chunk layout and which file version its chunks belong to), and with
// complete=true only once every chunk is stored.
// writeChunk copies the bytes before it returns (Response and structured
// clone both copy synchronously), so the caller may hand them on at once.
import { LoaderError, withTimeout } from './loader_error.js';

const DIGEST_HEADER = 'x-lantern-digest';
const OP_TIMEOUT_MS = 120000;  // one storage operation; a hung store must not hang the load

export async function openChunkStore(kind, name, { create = true } = {}) {
  if (kind === 'none') return null;
  if (kind === 'cache') return CacheApiStore.open(name, create);
  if (kind === 'indexeddb') return IdbStore.open(name, create);
  throw new LoaderError('usage', `lantern: unknown cache option '${kind}' (use 'cache', 'indexeddb' or 'none')`);
}

function separator(url) {
  return url.includes('?') ? '&' : '?';
}

class CacheApiStore {
  static async open(name, create) {
    if (typeof caches === 'undefined')
      throw new LoaderError('storage', 'lantern: the Cache API is not available here (it needs a secure context: https or http://127.0.0.1); use cache: \'indexeddb\' or \'none\'');
    if (!create && !(await caches.has(name))) return null;
    return new CacheApiStore(await withTimeout(caches.open(name), OP_TIMEOUT_MS, `opening Cache API cache '${name}'`));
  }

  constructor(cache) {
    this.kind = 'Cache API';
    this.cache = cache;
  }

  chunkKey(url, start, end) {
    return `${url}${separator(url)}lantern-chunk=${start}-${end}`;
  }

  markerKey(url) {
    return `${url}${separator(url)}lantern-model`;
  }

  // The entries of this model: chunks as Map start -> end, and marker keys.
  async entries(url) {
    // ignoreSearch: every entry whose URL without its query is the model's.
    const requests = await withTimeout(this.cache.keys(url, { ignoreSearch: true }), OP_TIMEOUT_MS, `listing the Cache API entries of ${url}`);
    const chunkPrefix = `${url}${separator(url)}lantern-chunk=`;
    const marker = this.markerKey(url);
    const chunks = new Map();
    const others = [];
    for (const r of requests) {
      if (r.url.startsWith(chunkPrefix)) {
        const m = /^(\d+)-(\d+)$/.exec(r.url.slice(chunkPrefix.length));
        if (m) chunks.set(Number(m[1]), Number(m[2]));
      } else if (r.url === marker) {
        others.push(r.url);
      }
    }
    return { chunks, others };
  }

  async listChunks(url) {
    return (await this.entries(url)).chunks;
  }

  async readChunk(url, start, end) {
    const what = `reading bytes ${start}-${end - 1} of ${url} from the Cache API`;
    const res = await withTimeout(this.cache.match(this.chunkKey(url, start, end)), OP_TIMEOUT_MS, what);
    if (!res) return null;
    const bytes = new Uint8Array(await withTimeout(res.arrayBuffer(), OP_TIMEOUT_MS, what));
    return { bytes, digest: res.headers.get(DIGEST_HEADER) };
  }

  writeChunk(url, start, end, bytes, digest) {
    const headers = { 'content-type': 'application/octet-stream', [DIGEST_HEADER]: digest };
    const res = new Response(bytes, { headers });  // copies now
    return withTimeout(this.cache.put(this.chunkKey(url, start, end), res), OP_TIMEOUT_MS,
      `storing bytes ${start}-${end - 1} of ${url} in the Cache API`);
  }

  deleteChunk(url, start, end) {
    return withTimeout(this.cache.delete(this.chunkKey(url, start, end)), OP_TIMEOUT_MS, `deleting a chunk of ${url}`);
  }

  async readMarker(url) {
    const res = await withTimeout(this.cache.match(this.markerKey(url)), OP_TIMEOUT_MS, `reading the marker of ${url}`);
    if (!res) return null;
    try {
      return await res.json();
    } catch {
      return null;  // unreadable marker: treated as none (the chunks are still checked)
    }
  }

  writeMarker(url, marker) {
    const res = new Response(JSON.stringify(marker), { headers: { 'content-type': 'application/json' } });
    return withTimeout(this.cache.put(this.markerKey(url), res), OP_TIMEOUT_MS, `writing the marker of ${url}`);
  }

  // Every chunk and the marker; resolves with how many entries were removed.
  async deleteModel(url) {
    const { chunks, others } = await this.entries(url);
    const del = (k) => withTimeout(this.cache.delete(k), OP_TIMEOUT_MS, `deleting ${k} from the Cache API`);
    // The marker first: a model is never "complete" with chunks missing.
    let removed = 0;
    for (const k of others) removed += (await del(k)) ? 1 : 0;
    const gone = await Promise.all([...chunks].map(([s, e]) => del(this.chunkKey(url, s, e))));
    return removed + gone.filter(Boolean).length;
  }
}

class IdbStore {
  static async open(name, create) {
    if (typeof indexedDB === 'undefined')
      throw new LoaderError('storage', 'lantern: IndexedDB is not available here; use cache: \'cache\' or \'none\'');
    if (!create && indexedDB.databases) {
      const dbs = await withTimeout(indexedDB.databases(), OP_TIMEOUT_MS, 'listing IndexedDB databases');
      if (!dbs.some((d) => d.name === name)) return null;
    }
    const db = await withTimeout(new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('chunks')) db.createObjectStore('chunks', { keyPath: ['url', 'start'] });
        if (!db.objectStoreNames.contains('models')) db.createObjectStore('models', { keyPath: 'url' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(new LoaderError('storage', `lantern: cannot open IndexedDB database '${name}': ${req.error && req.error.message}`, { cause: req.error }));
      // onblocked: another tab holds an older version open; the timeout below reports it.
    }), OP_TIMEOUT_MS, `opening IndexedDB database '${name}' (is another tab blocking it?)`);
    db.onversionchange = () => db.close();
    return new IdbStore(db);
  }

  constructor(db) {
    this.kind = 'IndexedDB';
    this.db = db;
  }

  static range(url) {
    return IDBKeyRange.bound([url, -Infinity], [url, Infinity]);
  }

  // Runs `body(stores)` in one transaction (created synchronously, so values
  // are cloned before this returns); resolves with body's request result.
  tx(names, mode, body, what) {
    let tx;
    try {
      tx = this.db.transaction(names, mode);
    } catch (e) {
      return Promise.reject(e);
    }
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    const req = body(stores);
    return withTimeout(new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(req && req.result);
      tx.onabort = tx.onerror = () => reject(tx.error || (req && req.error) || new LoaderError('storage', `lantern: IndexedDB ${what} was aborted`));
    }), OP_TIMEOUT_MS, `IndexedDB ${what}`);
  }

  async listChunks(url) {
    const keys = await this.tx(['chunks'], 'readonly', (s) => s.chunks.getAllKeys(IdbStore.range(url)), `listing chunks of ${url}`);
    return new Map(keys.map((k) => [k[1], null]));  // end unknown from the key: checked on read
  }

  async readChunk(url, start, end) {
    const v = await this.tx(['chunks'], 'readonly', (s) => s.chunks.get([url, start]), `reading bytes ${start}-${end - 1} of ${url}`);
    if (!v || !v.bytes) return null;
    return { bytes: new Uint8Array(v.bytes), digest: typeof v.digest === 'string' ? v.digest : null };
  }

  writeChunk(url, start, end, bytes, digest) {
    // A view of part of a larger buffer would clone the whole buffer.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    return this.tx(['chunks'], 'readwrite', (s) => s.chunks.put({ url, start, end, bytes: own, digest }), `storing bytes ${start}-${end - 1} of ${url}`);
  }

  deleteChunk(url, start) {
    return this.tx(['chunks'], 'readwrite', (s) => s.chunks.delete([url, start]), `deleting a chunk of ${url}`);
  }

  async readMarker(url) {
    const v = await this.tx(['models'], 'readonly', (s) => s.models.get(url), `reading the marker of ${url}`);
    return v || null;
  }

  writeMarker(url, marker) {
    return this.tx(['models'], 'readwrite', (s) => s.models.put({ ...marker, url }), `writing the marker of ${url}`);
  }

  async deleteModel(url) {
    let chunks = null;
    let marker = null;
    await this.tx(['chunks', 'models'], 'readwrite', (s) => {
      chunks = s.chunks.count(IdbStore.range(url));
      marker = s.models.count(url);
      s.models.delete(url);
      s.chunks.delete(IdbStore.range(url));
      return null;
    }, `deleting ${url}`);
    return chunks.result + marker.result;
  }
}
