/**
 * CPU time this process spends between `start()` and `stop()`, in milliseconds (user + system). The
 * cases run the backend in the bench process and everything else (simulator, viewers, load
 * generators) in other processes, so this is the backend's CPU time.
 */
export function cpuMeter() {
  let started = process.cpuUsage();
  return {
    start() {
      started = process.cpuUsage();
    },
    stop(): number {
      const { user, system } = process.cpuUsage(started);
      return (user + system) / 1000;
    },
  };
}
