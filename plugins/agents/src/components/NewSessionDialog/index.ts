export {
  NewSessionDialog,
  type NewSessionDialogProps,
} from './NewSessionDialog';
export { PolicySummary } from './PolicySummary';
export {
  NewSessionButton,
  type NewSessionButtonProps,
} from './NewSessionButton';
