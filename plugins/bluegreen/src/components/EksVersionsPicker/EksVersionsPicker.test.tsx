import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { burnham, eksBlueprint } from '../../__fixtures__/entities';
import { burnhamInsights } from '../../__fixtures__/insights';
import { burnhamStatus } from '../../__fixtures__/traffic';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EksVersionsPicker, eksVersionsValidation } from './EksVersionsPicker';
import { EKS_VERSIONS } from '../../__fixtures__/eksVersions';

jest.setTimeout(20_000);

function field(formData: object, onChange = jest.fn()) {
  return {
    onChange,
    element: (
      <EksVersionsPicker
        {...({
          formData,
          onChange,
          rawErrors: [],
          required: true,
          schema: {
            title: 'Kubernetes versions',
            description: 'Only versions EKS supports today.',
          },
          uiSchema: {},
          idSchema: { $id: 'kubernetes_versions' },
        } as any)}
      />
    ),
  };
}

describe('EksVersionsPicker', () => {
  it('offers the versions EKS supports today, defaulting to the two newest', async () => {
    const { element, onChange } = field({});
    const { getEksVersions } = await renderWithApis(element, burnham);
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith({ blue: '1.33', green: '1.34' }),
    );
    expect(getEksVersions).toHaveBeenCalled();
    expect(
      screen.getByText(/from bluegreen’s versions table/),
    ).toBeInTheDocument();
  });

  it('keeps versions already chosen', async () => {
    const { element, onChange } = field({ blue: '1.34', green: '1.34' });
    await renderWithApis(element, burnham);
    expect(await screen.findAllByText(/1\.34/)).not.toHaveLength(0);
    expect(onChange).not.toHaveBeenCalled();
  });
});

describe('EksVersionsPicker in upgrade mode', () => {
  // The generation after its cutover: green (1.34) serves, blue (1.33) is idle.
  const afterCutover = { ...burnhamStatus, weights: { blue: 0, green: 100 } };

  function upgradeField(
    values: object,
    formData?: string,
    onChange = jest.fn(),
  ) {
    return {
      onChange,
      element: (
        <EksVersionsPicker
          {...({
            formData,
            onChange,
            rawErrors: [],
            required: true,
            schema: { title: 'Kubernetes version' },
            uiSchema: { 'ui:options': { mode: 'upgrade' } },
            idSchema: { $id: 'kubernetes_version' },
            formContext: { formData: values },
          } as any)}
        />
      ),
    };
  }

  it('says to pick the generation first, and reads nothing until then', async () => {
    const { element } = upgradeField({ colour: 'blue' });
    const { getTrafficStatus } = await renderWithApis(element, eksBlueprint);
    expect(screen.getByTestId('eks-upgrade-version-message')).toHaveTextContent(
      'Pick the generation first: the versions offered are the ones newer than its serving cluster.',
    );
    expect(getTrafficStatus).not.toHaveBeenCalled();
  });

  it('says to pick the colour first once the generation is picked', async () => {
    const { element } = upgradeField({
      generation: 'system:default/eks-blueprint',
    });
    await renderWithApis(element, eksBlueprint, {
      status: { 'eks-blueprint': afterCutover },
    });
    expect(screen.getByTestId('eks-upgrade-version-message')).toHaveTextContent(
      'Pick the colour to rebuild first',
    );
  });

  it("offers only supported versions newer than the serving cluster's (green 1.34: 1.35 and 1.36), defaults to the lowest, says skipping is allowed, and shows the serving cluster's insights", async () => {
    const { element, onChange } = upgradeField({
      generation: 'system:default/eks-blueprint',
      colour: 'blue',
    });
    const { getTrafficStatus, getInsights } = await renderWithApis(
      element,
      eksBlueprint,
      {
        status: { 'eks-blueprint': afterCutover },
        insights: { 'eks-blueprint': burnhamInsights },
        eksVersions: EKS_VERSIONS,
      },
    );
    await waitFor(() => expect(onChange).toHaveBeenCalledWith('1.35'));
    expect(getTrafficStatus).toHaveBeenCalledWith({
      kind: 'system',
      namespace: 'default',
      name: 'eks-blueprint',
    });
    expect(getInsights).toHaveBeenCalledWith({
      kind: 'system',
      namespace: 'default',
      name: 'eks-blueprint',
    });
    expect(screen.getByTestId('eks-upgrade-version-help')).toHaveTextContent(
      'green (eks-blueprint-green) serves on Kubernetes 1.34: only the versions EKS supports today that are newer are offered. Skipping minor versions is allowed: the blue cluster is built new, not upgraded in place.',
    );
    fireEvent.mouseDown(screen.getByRole('button'));
    const options = within(await screen.findByRole('listbox'))
      .getAllByRole('option')
      .map(o => o.textContent);
    expect(options).toEqual([
      '1.35 — standard support until 2027-03-27',
      '1.36 — standard support until 2027-08-02',
    ]);
    // Green serves: its insights, not blue's, are the ones the rebuilt cluster inherits.
    expect(
      await screen.findByTestId('bluegreen-insight-api'),
    ).toHaveTextContent('/apis/resource.k8s.io/v1beta1/deviceclasses');
  });

  it("keeps an offered version already chosen; with blue serving (1.33) green's options start at 1.34", async () => {
    const { element, onChange } = upgradeField(
      { generation: 'system:default/eks-blueprint', colour: 'green' },
      '1.36',
    );
    await renderWithApis(element, eksBlueprint, {
      status: { 'eks-blueprint': burnhamStatus },
      eksVersions: EKS_VERSIONS,
    });
    // Blue (1.33) serves: 1.34 to 1.36 are offered, 1.36 is kept.
    expect(
      await screen.findByTestId('eks-upgrade-version-help'),
    ).toHaveTextContent('blue (eks-blueprint-blue) serves on Kubernetes 1.33');
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.mouseDown(screen.getByRole('button'));
    expect(
      within(await screen.findByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent?.slice(0, 4)),
    ).toEqual(['1.34', '1.35', '1.36']);
    expect(
      screen.getByText(/No upgrade insights for eks-blueprint-blue/),
    ).toBeInTheDocument();
  });

  it('warns when the colour to rebuild still has weight', async () => {
    const { element } = upgradeField(
      { generation: 'system:default/eks-blueprint', colour: 'blue' },
      '1.35',
    );
    await renderWithApis(element, eksBlueprint, {
      status: { 'eks-blueprint': burnhamStatus },
      eksVersions: EKS_VERSIONS,
    });
    expect(
      await screen.findByTestId('eks-upgrade-version-help'),
    ).toHaveTextContent(
      'blue still has weight 100: move its traffic off before rebuilding it.',
    );
  });

  it("says so when the generation's status cannot be read", async () => {
    const { element } = upgradeField({
      generation: 'system:default/eks-blueprint',
      colour: 'blue',
    });
    await renderWithApis(element, eksBlueprint, {
      status: { 'eks-blueprint': new Error('403 not allowed') },
    });
    expect(
      await screen.findByTestId('eks-upgrade-version-message'),
    ).toHaveTextContent(
      "Could not read the generation's traffic status: 403 not allowed",
    );
  });
});

describe('eksVersionsValidation', () => {
  const validate = (value: unknown, uiSchema?: object) => {
    const addError = jest.fn();
    eksVersionsValidation(
      value as any,
      { addError } as any,
      {
        uiSchema,
      } as any,
    );
    return addError.mock.calls.map(c => c[0]);
  };

  it('upgrade mode: a version must be chosen', () => {
    const upgrade = { 'ui:options': { mode: 'upgrade' } };
    expect(validate(undefined, upgrade)).toEqual([
      'choose the Kubernetes version to rebuild the cluster at',
    ]);
    expect(validate('latest', upgrade)).toEqual([
      'choose the Kubernetes version to rebuild the cluster at',
    ]);
    expect(validate('1.35', upgrade)).toEqual([]);
  });

  it('refuses green older than blue and a missing version', () => {
    expect(validate({ blue: '1.34', green: '1.33' })).toEqual([
      'green must not be older than blue (1.34): green is the new generation',
    ]);
    expect(validate({ blue: '1.34' })).toEqual([
      'choose a version for both clusters',
    ]);
    expect(validate({ blue: '1.9', green: '1.10' })).toEqual([]);
  });
});
