import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { agentsApiRef } from '../../api/AgentsApi';
import {
  DEFAULT_LAUNCH_OPTIONS,
  ENTITY_REF,
  FakeAgentsApi,
} from '@backstage-agents/plugin-agents-common/testUtils';
import { clientOf } from '../../__testUtils__/clientOf';
import { NewSessionDialog } from './NewSessionDialog';

async function render(
  api = new FakeAgentsApi(0),
  policy = DEFAULT_LAUNCH_OPTIONS.policy,
) {
  const onCreated = jest.fn();
  const onClose = jest.fn();
  await renderInTestApp(
    <NewSessionDialog
      open
      entityRef={ENTITY_REF}
      policy={policy}
      onClose={onClose}
      onCreated={onCreated}
    />,
    { apis: [[agentsApiRef, clientOf(api)]] },
  );
  return { api, onCreated, onClose, dialog: await screen.findByRole('dialog') };
}

/** The bodies of the sessions the dialog asked the API to create. */
function created(api: FakeAgentsApi) {
  return api.requestsOf('CreateSession').map(r => r.body);
}

describe('NewSessionDialog', () => {
  it('shows the policy that applies, read-only', async () => {
    const { dialog } = await render();
    const policy = within(dialog).getByRole('region', { name: 'Policy' });
    expect(within(policy).getByText('default')).toBeInTheDocument();
    expect(within(policy).getByText('github-only')).toBeInTheDocument();
    expect(within(policy).getByText('30 minutes')).toBeInTheDocument();
    expect(within(policy).getByText('2')).toBeInTheDocument();
    expect(within(policy).getByText('4Gi')).toBeInTheDocument();
    expect(within(policy).getByText('opened as a draft')).toBeInTheDocument();
    expect(within(policy).queryByRole('textbox')).not.toBeInTheDocument();
  });

  it("offers the policy's harnesses with its default selected, and labels demo as a stand-in", async () => {
    const { dialog } = await render();
    const select = within(dialog).getByRole('button', { name: /harness/i });
    expect(select).toHaveTextContent('OpenCode — default');
    fireEvent.mouseDown(select);
    const options = (await screen.findAllByRole('option')).map(
      o => o.textContent,
    );
    expect(options).toEqual([
      'OpenCode — default',
      'Claude Code',
      'Demo (development stand-in)',
    ]);
  });

  it('offers every harness of the development policy: the three agents, then the demo stand-in', async () => {
    // app-config.yaml's default policy: OpenCode, Claude Code and Codex against the model simulator.
    const { api, dialog, onCreated } = await render(undefined, {
      ...DEFAULT_LAUNCH_OPTIONS.policy,
      allowedHarnesses: ['opencode', 'claude-code', 'codex', 'demo'],
      defaultHarness: 'opencode',
    });
    const select = within(dialog).getByRole('button', { name: /harness/i });
    expect(select).toHaveTextContent('OpenCode — default');
    fireEvent.mouseDown(select);
    expect(
      (await screen.findAllByRole('option')).map(o => o.textContent),
    ).toEqual([
      'OpenCode — default',
      'Claude Code',
      'Codex CLI',
      'Demo (development stand-in)',
    ]);
    fireEvent.click(screen.getByRole('option', { name: 'Codex CLI' }));
    expect(select).toHaveTextContent('Codex CLI');
    await userEvent.type(within(dialog).getByLabelText('Prompt'), 'Fix it');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /start session/i }),
    );
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(created(api)).toEqual([
      { entityRef: ENTITY_REF, prompt: 'Fix it', harness: 'codex' },
    ]);
  });

  it('sends the default harness when the user picks none', async () => {
    const { api, dialog, onCreated } = await render();
    await userEvent.type(within(dialog).getByLabelText('Prompt'), 'Fix it');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /start session/i }),
    );
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(created(api)).toEqual([
      { entityRef: ENTITY_REF, prompt: 'Fix it', harness: 'opencode' },
    ]);
  });

  it('sends the prompt with the chosen harness', async () => {
    const { api, dialog, onCreated } = await render();
    await userEvent.type(
      within(dialog).getByLabelText('Prompt'),
      'Add a subtract function{enter}with tests',
    );
    fireEvent.mouseDown(
      within(dialog).getByRole('button', { name: /harness/i }),
    );
    fireEvent.click(
      await screen.findByRole('option', {
        name: 'Demo (development stand-in)',
      }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: /start session/i }),
    );
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(created(api)).toEqual([
      {
        entityRef: ENTITY_REF,
        prompt: 'Add a subtract function\nwith tests',
        harness: 'demo',
      },
    ]);
  });

  it("shows the API's validation message next to the prompt", async () => {
    const api = new FakeAgentsApi(0);
    api.fail(
      'CreateSession',
      400,
      'InputError',
      'The prompt must not mention invalid things',
    );
    const { dialog, onCreated } = await render(api);
    const prompt = within(dialog).getByLabelText('Prompt');
    await userEvent.type(prompt, 'Something invalid');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /start session/i }),
    );
    const message = await within(dialog).findByText(
      'The prompt must not mention invalid things',
    );
    // The message is the prompt field's helper text, and the field is marked invalid.
    expect(prompt).toHaveAttribute('aria-invalid', 'true');
    expect(prompt.closest('.MuiFormControl-root')).toContainElement(message);
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('refuses a blank prompt before asking the API', async () => {
    const { api, dialog } = await render();
    await userEvent.type(within(dialog).getByLabelText('Prompt'), '   ');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /start session/i }),
    );
    expect(
      await within(dialog).findByText('Describe what the agent should do.'),
    ).toBeInTheDocument();
    expect(created(api)).toEqual([]);
  });

  it('shows other refusals above the form', async () => {
    const api = new FakeAgentsApi(0);
    api.fail(
      'CreateSession',
      403,
      'NotAllowedError',
      'Harness codex is not allowed by policy default',
    );
    const { dialog } = await render(api);
    await userEvent.type(within(dialog).getByLabelText('Prompt'), 'Do it');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /start session/i }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Harness codex is not allowed by policy default',
    );
  });
});
