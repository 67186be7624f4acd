import { useState } from 'react';
import Button from '@material-ui/core/Button';
import AddIcon from '@material-ui/icons/Add';
import { useRouteRef } from '@backstage/core-plugin-api';
import { useNavigate } from 'react-router-dom';
import type { AgentsLaunchPolicy } from '../../api/types';
import { sessionRouteRef } from '../../routes';
import { NewSessionDialog } from './NewSessionDialog';

export interface NewSessionButtonProps {
  entityRef: string;
  policy: AgentsLaunchPolicy;
  /** `contained` where it is the page's main action (the Agents tab), `outlined` on a card. */
  variant: 'contained' | 'outlined';
}

/** "New session": opens the dialog, and shows the session's page once it is created. */
export function NewSessionButton(props: NewSessionButtonProps) {
  const { entityRef, policy, variant } = props;
  const navigate = useNavigate();
  const sessionLink = useRouteRef(sessionRouteRef);
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant={variant}
        color="primary"
        startIcon={<AddIcon />}
        onClick={() => setOpen(true)}
      >
        New session
      </Button>
      <NewSessionDialog
        open={open}
        entityRef={entityRef}
        policy={policy}
        onClose={() => setOpen(false)}
        onCreated={session => {
          setOpen(false);
          navigate(sessionLink({ sessionId: session.id }));
        }}
      />
    </>
  );
}
