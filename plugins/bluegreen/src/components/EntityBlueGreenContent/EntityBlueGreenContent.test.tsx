import { screen, within } from '@testing-library/react';
import { burnham, eksBlueprint as system } from '../../__fixtures__/entities';
import { burnhamObjects } from '../../__fixtures__/kubernetes';
import { burnhamStatus } from '../../__fixtures__/traffic';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityBlueGreenContent } from './EntityBlueGreenContent';

jest.setTimeout(20_000);

describe('EntityBlueGreenContent', () => {
  it("shows the system's traffic split and each component on both clusters", async () => {
    await renderWithApis(<EntityBlueGreenContent />, system, {
      status: {
        'eks-blueprint': {
          ...burnhamStatus,
          entityRef: 'system:default/eks-blueprint',
        },
        burnham: burnhamStatus,
      },
      objects: { burnham: burnhamObjects },
      entities: [burnham],
    });
    const row = within(
      await screen.findByTestId(
        'bluegreen-row-burnham',
        {},
        { timeout: 10_000 },
      ),
    );
    expect(
      await row.findByText('2/2 deployments ready', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(
      row.getByText('1/2 deployments ready (not ready: burnham-worker 1/2)'),
    ).toBeInTheDocument();
    expect(
      await row.findByText('blue=100 green=0 (route53)'),
    ).toBeInTheDocument();
    expect(screen.getByText('blue (eks-blueprint-blue)')).toBeInTheDocument();
    expect(screen.getByTestId('bluegreen-share-blue')).toHaveTextContent(
      '100%',
    );
  });
});
