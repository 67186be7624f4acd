/** A session's page in the app (the agents frontend plugin's route), for links sent out of the app. */
export function sessionPageUrl(appBaseUrl: string, sessionId: string): string {
  return `${appBaseUrl.replace(/\/+$/, '')}/agents/sessions/${sessionId}`;
}
