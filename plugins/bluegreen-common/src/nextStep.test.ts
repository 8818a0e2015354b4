import { Entity } from '@backstage/catalog-model';
import {
  CUTOVER_TEMPLATE_REF,
  generationRefOf,
  nextStep,
  rebuildVersion,
  RETIRE_TEMPLATE_REF,
  UPGRADE_TEMPLATE_REF,
} from './nextStep';
import { ClusterVersionStatus, TrafficStatus } from './traffic';

// The versions the sandbox's EKS supports in late 2026, oldest first.
const SUPPORTED = ['1.31', '1.32', '1.33', '1.34', '1.35', '1.36'].map(
  version => ({ version }),
);
const GENERATION = 'system:default/eks-blueprint';

const blue: ClusterVersionStatus = {
  name: 'eks-blueprint-blue',
  version: '1.33',
  supportStatus: 'extended',
  source: 'eks',
};
const green: ClusterVersionStatus = {
  name: 'eks-blueprint-green',
  version: '1.34',
  supportStatus: 'standard',
  source: 'eks',
};
const notFound = (name: string): ClusterVersionStatus => ({
  name,
  source: 'not-found',
  error: `No cluster found for name: ${name}.`,
});

function status(
  weights: TrafficStatus['weights'],
  clusters: Partial<TrafficStatus['clusters']> = {},
): Pick<TrafficStatus, 'entityRef' | 'weights' | 'clusters'> {
  return {
    entityRef: 'component:default/burnham',
    weights,
    clusters: { blue, green, ...clusters },
  };
}

const step = (
  weights: TrafficStatus['weights'],
  clusters?: Partial<TrafficStatus['clusters']>,
) =>
  nextStep({
    status: status(weights, clusters),
    supportedVersions: SUPPORTED,
    generation: GENERATION,
  });

describe('nextStep', () => {
  it('one idle: green serves, blue idle on 1.33 in extended support costs $0.60 an hour ($438 a month): retire it, or rebuild it at the lowest version newer than green (1.35)', () => {
    const next = step({ blue: 0, green: 100 });
    expect(next).toEqual({
      state: 'retire-or-rebuild',
      summary:
        'green serves 100 % · blue idle on 1.33 (extended support, $0.60 per hour, about $438 a month)',
      text: 'green serves 100 % · blue idle on 1.33 (extended support, $0.60 per hour, about $438 a month) — retire it or rebuild it at 1.35',
      actions: [
        {
          label: 'retire it',
          templateRef: RETIRE_TEMPLATE_REF,
          formData: { generation: GENERATION, colour: 'blue' },
        },
        {
          label: 'rebuild it at 1.35',
          templateRef: UPGRADE_TEMPLATE_REF,
          formData: {
            generation: GENERATION,
            colour: 'blue',
            kubernetes_version: '1.35',
          },
        },
      ],
    });
  });

  it('one idle in standard support costs $0.10 an hour (about $73 a month)', () => {
    const next = step(
      { blue: 100, green: 0 },
      { blue: { ...blue, version: '1.34', supportStatus: 'standard' } },
    );
    expect(next?.text).toBe(
      'blue serves 100 % · green idle on 1.34 (standard support, $0.10 per hour, about $73 a month) — retire it or rebuild it at 1.35',
    );
  });

  it('one idle that is newer than the serving one (a new generation before its cutover): cut over to it, not retire it', () => {
    const next = step({ blue: 100, green: 0 });
    expect(next).toMatchObject({
      state: 'cut-over-to-idle',
      text: "blue serves 100 % · green idle on 1.34 (standard support, $0.10 per hour, about $73 a month), newer than blue's 1.33 — cut over to green",
      actions: [
        {
          templateRef: CUTOVER_TEMPLATE_REF,
          formData: { entity: 'component:default/burnham' },
        },
      ],
    });
  });

  it('both serving: names both shares and links the cut-over template to finish the cutover', () => {
    const next = step({ blue: 90, green: 10 });
    expect(next).toEqual({
      state: 'finish-cutover',
      summary: 'blue 90 % · green 10 %',
      text: 'blue 90 % · green 10 % — finish the cutover',
      actions: [
        {
          label: 'finish the cutover',
          templateRef: CUTOVER_TEMPLATE_REF,
          formData: { entity: 'component:default/burnham' },
        },
      ],
    });
  });

  it('one destroyed (EKS answers ResourceNotFoundException for the idle colour): rebuild it at 1.35, one link, no retire', () => {
    const next = step(
      { blue: 0, green: 100 },
      { blue: notFound('eks-blueprint-blue') },
    );
    expect(next).toEqual({
      state: 'rebuild-destroyed',
      summary: 'green serves 100 % · blue destroyed',
      text: 'green serves 100 % · blue destroyed — rebuild it at 1.35',
      actions: [
        {
          label: 'rebuild it at 1.35',
          templateRef: UPGRADE_TEMPLATE_REF,
          formData: {
            generation: GENERATION,
            colour: 'blue',
            kubernetes_version: '1.35',
          },
        },
      ],
    });
  });

  it('a destroyed colour without a record at all is idle too', () => {
    expect(
      step({ green: 100 }, { blue: notFound('eks-blueprint-blue') })?.state,
    ).toBe('rebuild-destroyed');
  });

  it('a destroyed colour that still has weight: move its traffic off first', () => {
    const next = step(
      { blue: 10, green: 90 },
      { blue: notFound('eks-blueprint-blue') },
    );
    expect(next).toMatchObject({
      state: 'move-off-destroyed',
      text: "blue 10 % · green 90 % · blue's EKS cluster does not exist, yet it has weight 10 — move its traffic to green",
      actions: [{ templateRef: CUTOVER_TEMPLATE_REF }],
    });
  });

  it('both idle (all-zero): says bluegreen refuses it but Route 53 holds it and splits equally, and links the cut-over', () => {
    const next = step({ blue: 0, green: 0 });
    expect(next).toEqual({
      state: 'all-zero',
      summary:
        'blue 50 % · green 50 %: both weights are 0, which bluegreen refuses to set, yet Route 53 holds it and splits traffic equally',
      text: 'blue 50 % · green 50 %: both weights are 0, which bluegreen refuses to set, yet Route 53 holds it and splits traffic equally — set the weights',
      actions: [
        {
          label: 'set the weights',
          templateRef: CUTOVER_TEMPLATE_REF,
          formData: { entity: 'component:default/burnham' },
        },
      ],
    });
  });

  it('says nothing when neither colour has a record', () => {
    expect(step({})).toBeUndefined();
  });

  it('without a newer supported version or the serving version, offers "rebuild it" without a version', () => {
    const newest = nextStep({
      status: status(
        { blue: 0, green: 100 },
        { green: { ...green, version: '1.36' } },
      ),
      supportedVersions: SUPPORTED,
      generation: GENERATION,
    });
    expect(newest?.actions[1]).toEqual({
      label: 'rebuild it',
      templateRef: UPGRADE_TEMPLATE_REF,
      formData: { generation: GENERATION, colour: 'blue' },
    });
    const unknown = step(
      { blue: 0, green: 100 },
      { green: { name: 'eks-blueprint-green', source: 'unavailable' } },
    );
    expect(unknown?.text).toBe(
      'green serves 100 % · blue idle on 1.33 (extended support, $0.60 per hour, about $438 a month) — retire it or rebuild it',
    );
  });

  it('leaves the generation out of the forms when the entity names none', () => {
    const next = nextStep({
      status: status({ blue: 0, green: 100 }),
      supportedVersions: SUPPORTED,
    });
    expect(next?.actions.map(a => a.formData)).toEqual([
      { colour: 'blue' },
      { colour: 'blue', kubernetes_version: '1.35' },
    ]);
  });
});

describe('rebuildVersion', () => {
  it('is the lowest supported version newer than the serving one, skipping none it need not', () => {
    expect(rebuildVersion('1.34', SUPPORTED)).toBe('1.35');
    expect(
      rebuildVersion('1.9', [{ version: '1.11' }, { version: '1.10' }]),
    ).toBe('1.10');
    expect(rebuildVersion('1.36', SUPPORTED)).toBeUndefined();
  });
});

describe('generationRefOf', () => {
  const entity = (kind: string, spec: object, namespace?: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'x', ...(namespace ? { namespace } : {}) },
    spec,
  });

  it("is a Component's system in its namespace, and a System itself", () => {
    expect(
      generationRefOf(entity('Component', { system: 'eks-blueprint' })),
    ).toBe('system:default/eks-blueprint');
    expect(
      generationRefOf(entity('Component', { system: 'eks-blueprint' }, 'team')),
    ).toBe('system:team/eks-blueprint');
    expect(generationRefOf(entity('System', {}, 'team'))).toBe('system:team/x');
    expect(generationRefOf(entity('Component', {}))).toBeUndefined();
  });
});
