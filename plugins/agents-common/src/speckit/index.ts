export { parseTasks, selectTasks } from './parseTasks';
export type {
  ParsedTasks,
  SpeckitCheckpoint,
  SpeckitPhase,
  SpeckitTask,
  SpeckitTaskProblem,
} from './parseTasks';
