import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import { burnham, unannotated } from './__fixtures__/entities';
import { burnhamObjects } from './__fixtures__/kubernetes';
import { burnhamStatus } from './__fixtures__/traffic';
import { createMockApis } from './__testUtils__/renderWithApis';
import { entityBlueGreenCard, entityTeamWorkloadsCard } from './alpha';

// Rendering a whole test app is slow on a loaded 2-core machine.
jest.setTimeout(30_000);

describe('new frontend system extensions', () => {
  const { apis } = createMockApis({
    status: { burnham: burnhamStatus },
    objects: { burnham: burnhamObjects },
  });

  it('renders the card on an entity page for an entity with bluegreen annotations', async () => {
    renderTestApp({
      apis,
      extensions: [
        createTestEntityPage({ entity: burnham }),
        entityBlueGreenCard,
      ],
    });

    // The card is lazy-loaded; give a loaded machine time.
    expect(
      await screen.findByText('eks-blueprint-green', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(
      await screen.findByTestId(
        'bluegreen-share-blue',
        {},
        { timeout: 15_000 },
      ),
    ).toHaveTextContent('100%');
  });

  it('filters the card out for an entity without them, and the team card for a component', async () => {
    renderTestApp({
      apis,
      extensions: [
        createTestEntityPage({ entity: unannotated }),
        entityBlueGreenCard,
        entityTeamWorkloadsCard,
      ],
    });

    // The test page renders this marker when its filters leave no card to show.
    expect(
      await screen.findByTestId('empty-entity-page', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Blue/green')).toBeNull();
  });
});
