export {
  NewSessionDialog,
  type NewSessionDialogProps,
} from './NewSessionDialog';
export { PolicySummary } from './PolicySummary';
