import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import type { AgentsSession } from '../../api/types';
import { currentWaveOf } from '../waves';

/** Why a fan-out's later waves will not start (a task did not succeed, a merge conflict); nothing otherwise. */
export function WaveErrorAlert(props: {
  fanOut: Pick<AgentsSession, 'currentWave' | 'waveError'>;
}) {
  const { fanOut } = props;
  if (!fanOut.waveError) return null;
  return (
    <Alert severity="error" data-testid="wave-error">
      <AlertTitle>Wave {currentWaveOf(fanOut)} failed</AlertTitle>
      {fanOut.waveError}
    </Alert>
  );
}
