import { screen, waitFor } from '@testing-library/react';
import { burnham } from '../../__fixtures__/entities';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EksVersionsPicker, eksVersionsValidation } from './EksVersionsPicker';

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

describe('eksVersionsValidation', () => {
  const validate = (value: object) => {
    const addError = jest.fn();
    eksVersionsValidation(value, { addError } as any, {} as any);
    return addError.mock.calls.map(c => c[0]);
  };

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
