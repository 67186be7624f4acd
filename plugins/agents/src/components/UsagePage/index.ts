export { UsagePage } from './UsagePage';
export {
  EntityUsageContent,
  isAgentsUsageAvailable,
} from './EntityUsageContent';
