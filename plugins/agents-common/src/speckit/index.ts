export { parseTasks, selectTasks } from './parseTasks';
export type {
  ParsedTasks,
  SpeckitCheckpoint,
  SpeckitPhase,
  SpeckitTask,
  SpeckitTaskProblem,
} from './parseTasks';
export { planWaves } from './planWaves';
export type {
  SpeckitBlockedTask,
  SpeckitWave,
  SpeckitWavePlan,
} from './planWaves';
export { buildTaskPrompt, MAX_PROMPT_LENGTH } from './taskPrompt';
