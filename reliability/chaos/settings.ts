/** The run's knobs, from the environment, so that development runs can be small. */
export interface ChaosSettings {
  sessions: number;
  kills: number;
  killIntervalMs: number;
  launchWindowMs: number;
  minSessionMs: number;
  maxSessionMs: number;
  maxConcurrentPods: number;
  inFlightLaunches: number;
  faultIntervalMs: number;
  pgRestart: boolean;
  drainTimeoutMs: number;
  stallMs: number;
  finishedPodTtlSeconds: number;
  leaseSeconds: number;
  resyncSeconds: number;
  keepWorkDir: boolean;
}

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got '${raw}'`);
  return value;
};

export function readSettings(): ChaosSettings {
  const sessions = num('CHAOS_SESSIONS', 1000);
  return {
    sessions,
    kills: num('CHAOS_KILLS', 4),
    killIntervalMs: num('CHAOS_KILL_INTERVAL_S', 30) * 1000,
    // Launches are spread over this window so that kills and faults land while sessions are created.
    launchWindowMs: num('CHAOS_LAUNCH_WINDOW_S', Math.max(10, Math.round(sessions * 0.33))) * 1000,
    minSessionMs: num('CHAOS_MIN_SESSION_S', 1) * 1000,
    maxSessionMs: num('CHAOS_MAX_SESSION_S', 20) * 1000,
    maxConcurrentPods: num('CHAOS_MAX_PODS', 40),
    inFlightLaunches: num('CHAOS_IN_FLIGHT', 16),
    faultIntervalMs: num('CHAOS_FAULT_INTERVAL_S', 8) * 1000,
    pgRestart: process.env.CHAOS_PG_RESTART !== '0',
    // On 2 cores the harness pods (each a Node process that clones, commits, pushes and uploads) get
    // through about half a session a second: the drain ends when every session has, when none has
    // finished for stallMs, or at this cap.
    drainTimeoutMs: num('CHAOS_DRAIN_S', Math.max(600, sessions * 4)) * 1000,
    stallMs: num('CHAOS_STALL_S', 180) * 1000,
    finishedPodTtlSeconds: num('CHAOS_POD_TTL_S', 5),
    leaseSeconds: num('CHAOS_LEASE_S', 15),
    resyncSeconds: num('CHAOS_RESYNC_S', 10),
    keepWorkDir: process.env.CHAOS_KEEP === '1',
  };
}
