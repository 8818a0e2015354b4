import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ResponseError } from '@backstage/errors';
import { burnham } from '../../__fixtures__/entities';
import { burnhamObjects } from '../../__fixtures__/kubernetes';
import { burnhamStatus } from '../../__fixtures__/traffic';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { clusterWorkloads } from '@bluegreen/plugin-bluegreen-common';
import { CutoverDialog } from './CutoverDialog';

jest.setTimeout(20_000);

const workloads = {
  blue: clusterWorkloads(burnhamObjects, 'eks-blueprint-blue'),
  green: clusterWorkloads(burnhamObjects, 'eks-blueprint-green'),
};

/** The dialog; `staged` keeps its default (a staged run), else one step is planned. */
async function open(
  options: Parameters<typeof renderWithApis>[2] = {},
  onCompleted = jest.fn(),
  entity = burnham,
  { staged = false, status = burnhamStatus, clusters = workloads } = {},
) {
  const onStagedStarted = jest.fn();
  const mocks = await renderWithApis(
    <CutoverDialog
      entity={entity}
      status={status}
      workloads={clusters}
      onClose={jest.fn()}
      onCompleted={onCompleted}
      onStagedStarted={onStagedStarted}
    />,
    entity,
    options,
  );
  if (!staged) {
    fireEvent.click(screen.getByTestId('bluegreen-staged'));
  }
  return { ...mocks, onCompleted, onStagedStarted };
}

const dialog = () => within(screen.getByTestId('bluegreen-cutover-dialog'));
const submit = () => screen.getByTestId('bluegreen-cutover-submit');

describe('CutoverDialog', () => {
  it('shows the current weights, the plan and the pre-flight checks with pass and fail', async () => {
    await open();
    expect(
      dialog().getByText(/Now: blue=100 green=0 · mode route53/),
    ).toBeInTheDocument();
    expect(
      dialog().getByText('Plan: blue=100 green=0 → blue=0 green=100'),
    ).toBeInTheDocument();
    const checks = within(screen.getByTestId('bluegreen-preflight'));
    expect(
      checks.getByText(
        'green workloads ready: eks-blueprint-green: burnham-worker 1/2 not ready',
      ),
    ).toBeInTheDocument();
    expect(
      checks.getByText(
        'green runs what blue runs: eks-blueprint-green: not ready burnham-worker 1/2',
      ),
    ).toBeInTheDocument();
    expect(
      checks.getByText('green is not older than blue: blue 1.33, green 1.34'),
    ).toBeInTheDocument();
    expect(
      await dialog().findByText('Force: override 2 failed pre-flight checks'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('bluegreen-cutover-force'));
    expect(
      dialog().getByText(
        /I am moving production traffic of burnham.eks-blueprint.example.com, although 2 pre-flight checks have not passed/,
      ),
    ).toBeInTheDocument();
  });

  it('failing pre-flight without bluegreen.cutover.force: force cannot be ticked and nothing can be sent', async () => {
    // Another entity: permission answers are cached per resource across renders.
    const { cutover } = await open(
      { denied: ['bluegreen.cutover.force'] },
      jest.fn(),
      { ...burnham, metadata: { ...burnham.metadata, name: 'burnham-denied' } },
    );
    expect(
      await dialog().findByText(
        'The backend refuses this cutover until the pre-flight checks pass; forcing it needs the bluegreen.cutover.force permission',
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('bluegreen-cutover-force')).toBeDisabled();
    fireEvent.click(screen.getByTestId('bluegreen-cutover-confirm'));
    expect(submit()).toBeDisabled();
    expect(cutover).not.toHaveBeenCalled();
  });

  it('a force and a confirmation given for one plan are withdrawn when the plan changes', async () => {
    await open();
    fireEvent.click(await screen.findByTestId('bluegreen-cutover-force'));
    fireEvent.click(screen.getByTestId('bluegreen-cutover-confirm'));
    expect(submit()).toBeEnabled();
    fireEvent.click(dialog().getByLabelText('Custom weights'));
    fireEvent.change(screen.getByTestId('bluegreen-custom-green'), {
      target: { value: '40' },
    });
    expect(screen.getByTestId('bluegreen-cutover-force')).not.toBeChecked();
    expect(screen.getByTestId('bluegreen-cutover-confirm')).not.toBeChecked();
    expect(submit()).toBeDisabled();
  });

  it('sends exactly the planned weights, the mode, the weights it showed and force, after forcing the failed pre-flight and confirming, then follows the task', async () => {
    const { cutover, onCompleted } = await open({
      taskEvents: [
        {
          type: 'log',
          body: {
            message:
              'Route 53 accepted change C1: blue=100 green=0 -> blue=0 green=100',
            stepId: 'set-weight',
            status: 'processing',
          },
        },
        {
          type: 'log',
          body: {
            message: 'Finished step',
            stepId: 'set-weight',
            status: 'completed',
          },
        },
        {
          type: 'completion',
          body: {
            message: 'Run completed with status: completed',
            status: 'completed',
          },
        },
      ],
    });
    expect(submit()).toBeDisabled();
    fireEvent.click(screen.getByTestId('bluegreen-cutover-confirm'));
    // Green's burnham-worker is 1/2 ready: the backend would refuse without force.
    expect(submit()).toBeDisabled();
    fireEvent.click(await screen.findByTestId('bluegreen-cutover-force'));
    expect(submit()).toBeEnabled();
    fireEvent.click(submit());

    await waitFor(() => expect(cutover).toHaveBeenCalledTimes(1));
    expect(cutover).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'burnham' },
      {
        weights: { blue: 0, green: 100 },
        mode: 'route53',
        expected: { blue: 100, green: 0 },
        force: true,
      },
    );
    expect(
      await screen.findByText('Cutover completed', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(screen.getByText('Set the weights: completed')).toBeInTheDocument();
    expect(screen.getByText(/Route 53 accepted change C1/)).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Open the task page' }),
    ).toHaveAttribute('href', '/create/tasks/task-1');
    expect(onCompleted).toHaveBeenCalledTimes(1);
  });

  it('refuses all-zero and out-of-range custom weights before anything is sent', async () => {
    const { cutover } = await open();
    fireEvent.click(dialog().getByLabelText('Custom weights'));
    const blue = screen.getByTestId('bluegreen-custom-blue');
    const green = screen.getByTestId('bluegreen-custom-green');

    fireEvent.change(blue, { target: { value: '0' } });
    fireEvent.change(green, { target: { value: '0' } });
    expect(screen.getByTestId('bluegreen-plan-problem')).toHaveTextContent(
      'blue and green must not both be 0: Route 53 answers an all-zero group by splitting traffic equally',
    );
    expect(submit()).toBeDisabled();

    fireEvent.change(green, { target: { value: '256' } });
    expect(dialog().getByText('must be between 0 and 255')).toBeInTheDocument();
    expect(submit()).toBeDisabled();

    fireEvent.change(green, { target: { value: 'ten' } });
    expect(
      dialog().getByText('a whole number from 0 to 255'),
    ).toBeInTheDocument();
    expect(submit()).toBeDisabled();

    fireEvent.change(blue, { target: { value: '100' } });
    fireEvent.change(green, { target: { value: '0' } });
    expect(screen.getByTestId('bluegreen-plan-problem')).toHaveTextContent(
      'these are the current weights',
    );
    expect(submit()).toBeDisabled();
    expect(cutover).not.toHaveBeenCalled();
  });

  it('shows the backend refusal as it is', async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'NotAllowedError',
          message:
            'not allowed to cut over component:default/burnham (permission bluegreen.cutover)',
        },
        request: { method: 'POST', url: '/cutover' },
        response: { statusCode: 403 },
      }),
      { status: 403, headers: { 'Content-Type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    await open({ cutover: jest.fn().mockRejectedValue(error) });
    fireEvent.click(await screen.findByTestId('bluegreen-cutover-force'));
    fireEvent.click(screen.getByTestId('bluegreen-cutover-confirm'));
    fireEvent.click(submit());
    expect(
      await screen.findByTestId('bluegreen-cutover-error'),
    ).toHaveTextContent(
      'not allowed to cut over component:default/burnham (permission bluegreen.cutover)',
    );
    expect(screen.queryByTestId('bluegreen-cutover-progress')).toBeNull();
  });

  describe('staged', () => {
    // Every pod ready on both sides: the pre-flight passes.
    const ready = { blue: workloads.blue, green: workloads.blue };

    it('is the default in route53 mode: the staged preset with its steps and expected duration from the DNS floor', async () => {
      await open({}, jest.fn(), burnham, {
        staged: true,
        status: {
          ...burnhamStatus,
          dnsFloor: { ttlSeconds: 60, insyncSeconds: 60 },
        },
      });
      expect(screen.getByTestId('bluegreen-staged')).toBeChecked();
      expect(
        dialog().getByText('Plan (blue/green): 100/0 → 90/10 → 50/50 → 0/100'),
      ).toBeInTheDocument();
      expect(
        screen.getByTestId('bluegreen-staged-duration').textContent,
      ).toMatch(
        /^Each step holds 120 s \(TTL 60 s \+ INSYNC 60 s \+ soak\) while both clusters are probed; expected duration 6 min/,
      );
      expect(submit()).toHaveTextContent('Start staged cutover');
    });

    it('is the default in gitops mode too (records external-dns owns): each step a GitOps change, its wait named in the duration', async () => {
      await open({}, jest.fn(), burnham, {
        staged: true,
        status: {
          ...burnhamStatus,
          mode: 'gitops',
          dnsFloor: { ttlSeconds: 60, insyncSeconds: 60 },
        },
      });
      expect(screen.getByTestId('bluegreen-staged')).toBeChecked();
      expect(
        dialog().getByText(
          /each a GitOps change \(weight files, applies, pull request\)/,
        ),
      ).toBeInTheDocument();
      expect(
        screen.getByTestId('bluegreen-staged-duration').textContent,
      ).toMatch(
        /expected duration 6 min plus, for each step, its GitOps task \(the applies\) and the wait for Argo CD and external-dns to carry the weight to Route 53 if every step verifies/,
      );
    });

    it('cannot be forced past a failing pre-flight: the backend starts staged runs only when every check passes', async () => {
      const { startStagedCutover } = await open({}, jest.fn(), burnham, {
        staged: true,
      });
      expect(screen.queryByTestId('bluegreen-cutover-force')).toBeNull();
      expect(
        dialog().getByText(
          'A staged cutover starts only when every pre-flight check passes',
        ),
      ).toBeInTheDocument();
      fireEvent.click(screen.getByTestId('bluegreen-cutover-confirm'));
      expect(submit()).toBeDisabled();
      expect(startStagedCutover).not.toHaveBeenCalled();
    });

    it('custom steps: refuses shares it cannot use, naming the rule, and sends exactly the plan it shows', async () => {
      const { startStagedCutover, onStagedStarted } = await open(
        {},
        jest.fn(),
        burnham,
        { staged: true, clusters: ready },
      );
      fireEvent.mouseDown(
        within(
          dialog().getByTestId('bluegreen-staged-preset').parentElement!,
        ).getByRole('button'),
      );
      fireEvent.click(
        await screen.findByRole('option', { name: 'Custom steps' }),
      );
      fireEvent.change(screen.getByTestId('bluegreen-staged-shares'), {
        target: { value: '5, 150' },
      });
      expect(screen.getByTestId('bluegreen-plan-problem')).toHaveTextContent(
        'steps: whole percentages from 0 to 100, comma-separated (e.g. 5, 25, 100)',
      );
      expect(submit()).toBeDisabled();
      fireEvent.change(screen.getByTestId('bluegreen-staged-shares'), {
        target: { value: '5, 100' },
      });
      fireEvent.change(screen.getByTestId('bluegreen-staged-soak'), {
        target: { value: '30' },
      });
      expect(
        dialog().getByText('Plan (blue/green): 100/0 → 95/5 → 0/100'),
      ).toBeInTheDocument();
      fireEvent.click(screen.getByTestId('bluegreen-cutover-confirm'));
      fireEvent.click(submit());
      await waitFor(() =>
        expect(onStagedStarted).toHaveBeenCalledWith('run-1'),
      );
      expect(startStagedCutover).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'burnham' },
        {
          plan: {
            from: { blue: 100, green: 0 },
            steps: [
              { weights: { blue: 95, green: 5 }, soakSeconds: 30 },
              { weights: { blue: 0, green: 100 }, soakSeconds: 30 },
            ],
          },
        },
      );
    });
  });
});
