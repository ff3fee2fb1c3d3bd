/**
 * Test helpers: a seeded pseudo-random generator (mulberry32), so that a failing random
 * input or schedule can be replayed from its seed.
 */

/** Floats in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number from `lowest` to `highest`, both included. */
export function randomInt(random: () => number, lowest: number, highest: number): number {
  return lowest + Math.floor(random() * (highest - lowest + 1));
}

/**
 * This run's generator for a random schedule: seeded from APPLIANCE_TEST_SEED, else a new seed;
 * either way the seed is printed as a test diagnostic, so that the run can be replayed.
 */
export function seedFromEnv(t: { diagnostic(message: string): void }): () => number {
  const seed = Number(process.env.APPLIANCE_TEST_SEED ?? Date.now() % 1_000_000);
  if (!Number.isSafeInteger(seed)) throw new Error(`APPLIANCE_TEST_SEED must be a whole number, not ${process.env.APPLIANCE_TEST_SEED}`);
  t.diagnostic(`seed ${seed} (APPLIANCE_TEST_SEED=${seed} replays it)`);
  return seededRandom(seed);
}
