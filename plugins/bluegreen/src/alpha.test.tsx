import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import { burnham, unannotated } from './__fixtures__/entities';
import { entityBlueGreenCard } from './alpha';

// Rendering a whole test app is slow on a loaded 2-core machine.
jest.setTimeout(30_000);

describe('new frontend system entity card', () => {
  it('renders on an entity page for an entity with bluegreen annotations', async () => {
    renderTestApp({
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
      screen.getByText('burnham.eks-blueprint.example.com'),
    ).toBeInTheDocument();
  });

  it('is filtered out for an entity without them', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: unannotated }),
        entityBlueGreenCard,
      ],
    });

    // The test page renders this marker when its filters leave no card to show.
    expect(
      await screen.findByTestId('empty-entity-page', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Blue/green')).toBeNull();
  });
});
