// Time per named load phase when the work overlaps: chunks are fetched,
// read from the cache and uploaded a few at a time, so one phase overlaps
// itself and the others. For each phase the clock keeps its wall time (how
// long at least one piece of it was running) and its busy time (the sum of
// every piece's duration); the wall time of "any phase running" gives the
// overlap between phases: sum of phase walls minus that union.
export class PhaseClock {
  constructor() {
    this.phases = new Map();
    this.anyActive = 0;
    this.anySince = 0;
    this.anyWall = 0;
  }

  // Starts one piece of `name`; returns the function that ends it.
  start(name) {
    let p = this.phases.get(name);
    if (!p) this.phases.set(name, p = { active: 0, since: 0, wall: 0, busy: 0, count: 0 });
    const t = performance.now();
    if (p.active++ === 0) p.since = t;
    if (this.anyActive++ === 0) this.anySince = t;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const now = performance.now();
      p.busy += now - t;
      p.count++;
      if (--p.active === 0) p.wall += now - p.since;
      if (--this.anyActive === 0) this.anyWall += now - this.anySince;
    };
  }

  // Times a promise (or a plain value) as one piece of `name`.
  async time(name, work) {
    const end = this.start(name);
    try {
      return await work;
    } finally {
      end();
    }
  }

  // {phase: {wall_ms, busy_ms, count}, ..., overlap_ms, union_ms}
  summary() {
    const out = {};
    let walls = 0;
    for (const [name, p] of this.phases) {
      out[name] = { wall_ms: round(p.wall), busy_ms: round(p.busy), count: p.count };
      walls += p.wall;
    }
    out.union_ms = round(this.anyWall);
    out.overlap_ms = round(Math.max(0, walls - this.anyWall));
    return out;
  }
}

function round(ms) { return Math.round(ms * 1000) / 1000; }
