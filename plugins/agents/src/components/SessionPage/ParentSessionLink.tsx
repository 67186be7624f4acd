import { useEffect, useState } from 'react';
import { Link } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { agentsApiRef } from '../../api/AgentsApi';
import { sessionRouteRef } from '../../routes';
import { firstLine } from '../format';

/** A link to the fan-out a session belongs to, named by the fan-out's prompt once it has loaded. */
export function ParentSessionLink(props: { parentSessionId: string }) {
  const { parentSessionId } = props;
  const api = useApi(agentsApiRef);
  const sessionLink = useRouteRef(sessionRouteRef);
  const [title, setTitle] = useState<string>();

  useEffect(() => {
    let current = true;
    setTitle(undefined);
    // Only for its name: when the parent cannot be read, the link still leads to its page.
    api.getSession(parentSessionId).then(
      parent => current && setTitle(firstLine(parent.prompt, 80)),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [api, parentSessionId]);

  return (
    <Link
      to={sessionLink({ sessionId: parentSessionId })}
      data-testid="parent-session-link"
    >
      {title || `session ${parentSessionId.slice(0, 8)}`}
    </Link>
  );
}
