import { Route, Routes, useParams } from 'react-router-dom';
import { Content, Header, Page } from '@backstage/core-components';
import { SessionsTable } from '../SessionsTable';
import { SessionPage } from './SessionPage';

function SessionRoute() {
  const { sessionId = '' } = useParams();
  return <SessionPage sessionId={sessionId} />;
}

/** Every session the user may see, across entities. */
export function AllSessionsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Agent sessions"
        subtitle="Coding agents running against the repositories of catalog entities"
      />
      <Content>
        <SessionsTable />
      </Content>
    </Page>
  );
}

/** The plugin's page: the session list at its root and each session at `sessions/:sessionId`. */
export function AgentsRouter() {
  return (
    <Routes>
      <Route path="/" element={<AllSessionsPage />} />
      <Route path="/sessions/:sessionId" element={<SessionRoute />} />
    </Routes>
  );
}
