// The digest stored beside each cached chunk and checked when it is read
// back: a chunk changed at the same size (a bad disk, a tampered entry)
// would otherwise be delivered as the model. SHA-256 by SubtleCrypto where
// there is one (secure contexts: https, http://127.0.0.1); elsewhere (only
// IndexedDB works there) FNV-1a 32 in JS, which catches damage, not forgery.
// A digest names its algorithm ('sha256:…', 'fnv1a32:…'), so a chunk stored
// with one is never checked with the other.

const subtle = typeof crypto !== 'undefined' && crypto.subtle ? crypto.subtle : null;

// Hashes `bytes`; the bytes are copied before this returns (SubtleCrypto
// copies its input synchronously), so the caller may hand them on at once.
export function chunkDigest(bytes) {
  if (subtle) return subtle.digest('SHA-256', bytes).then((d) => `sha256:${hex(new Uint8Array(d))}`);
  return Promise.resolve(`fnv1a32:${fnv1a32(bytes).toString(16).padStart(8, '0')}`);
}

// True when `bytes` hash to `digest` (false for a missing digest or an
// algorithm not available here).
export async function digestMatches(bytes, digest) {
  if (typeof digest !== 'string') return false;
  const want = digest.startsWith('sha256:') ? 'sha256' : digest.startsWith('fnv1a32:') ? 'fnv1a32' : null;
  if (!want || (want === 'sha256') !== !!subtle) return false;
  return (await chunkDigest(bytes)) === digest;
}

function hex(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

function fnv1a32(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}
